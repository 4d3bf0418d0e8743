"""requirements.txt and environment.yml pin the same packages at the same versions."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([^\s#]+)\s*$")


def pins(path):
    """{package name (normalised): version} for every exact pin in a file."""
    found = {}
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            found[re.sub(r"[-_.]+", "-", match.group(1).lower())] = match.group(2)
    return found


def test_requirements_pin_every_package_exactly():
    lines = [l.strip() for l in (REPO / "requirements.txt").read_text().splitlines()]
    packages = [l for l in lines if l and not l.startswith("#")]
    loose = [l for l in packages if not PIN.match(l)]
    assert not loose, f"requirements.txt has lines that are not exact pins: {loose}"
    assert pins(REPO / "requirements.txt")["torch"] == "2.13.0"


def test_environment_yml_matches_requirements():
    requirements = pins(REPO / "requirements.txt")
    conda = pins(REPO / "environment.yml")
    assert conda == requirements, (
        f"only in requirements.txt: {sorted(set(requirements.items()) - set(conda.items()))}; "
        f"only in environment.yml: {sorted(set(conda.items()) - set(requirements.items()))}"
    )
    assert re.search(r"^\s*-\s*python=3\.11\s*$", (REPO / "environment.yml").read_text(), re.M)


def test_pin_parser_reads_a_known_line(tmp_path):
    sample = tmp_path / "r.txt"
    sample.write_text("# comment\nNumpy_Thing==1.2.3\n  - other.pkg==4.5\n")
    assert pins(sample) == {"numpy-thing": "1.2.3", "other-pkg": "4.5"}
