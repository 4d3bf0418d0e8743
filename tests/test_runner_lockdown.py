"""--revoke-sudo: the runner user loses root before any student code runs (grader/runner.py).

Everything here works on a copy of the files of a GitHub-hosted Ubuntu runner in a temporary folder
(sudoers, sudoers.d, group, gshadow, passwd, sudo.conf, a Unix socket standing for dockerd's); the
real /etc of this machine is never touched. `sudo -l -U` is replaced by a fake sudo on PATH.
"""

import os
import socket
import stat
import tempfile
from pathlib import Path

import pytest

from grader import cli, runner
from grader.runner import RunnerError, revoke_sudo, rules_in_listing, sudo_rules_left

MAIN_SUDOERS = """\
Defaults\tenv_reset
Defaults\tsecure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
root\tALL=(ALL:ALL) ALL
%admin ALL=(ALL) ALL
%sudo\tALL=(ALL:ALL) ALL
%ops ALL=(ALL) /usr/bin/systemctl
@includedir /etc/sudoers.d
"""
MIXED = """\
# Several users' rules in one file: only those that can reach runner go.
Defaults:deploy !requiretty
deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart web
User_Alias CI = builder, runner
CI ALL=(ALL) \\
    NOPASSWD: ALL
#1001 ALL=(ALL) ALL
"""
MIXED_AFTER = """\
# Several users' rules in one file: only those that can reach runner go.
Defaults:deploy !requiretty
deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart web
User_Alias CI = builder, runner
"""
SUDOERS_D = {
    "README": "# Files in this folder are read by sudo after /etc/sudoers.\n",
    "runner": "runner ALL=(ALL) NOPASSWD:ALL\n",
    "90-cloud-init-users": "# Created by cloud-init\n\n# User rules for runner\nrunner ALL=(ALL) NOPASSWD:ALL\n",
    "mixed": MIXED,
    "other": "deploy ALL=(ALL) ALL\n",
    "by-group": "%docker ALL=(ALL) NOPASSWD: /usr/bin/docker\n",
}
PASSWD = "root:x:0:0:root:/root:/bin/bash\nrunner:x:1001:1001:,,,:/home/runner:/bin/bash\n"


@pytest.fixture
def system():
    """A runner's account and sudo files, in a short temporary folder (Unix socket paths are short)."""
    root = Path(tempfile.mkdtemp(prefix="rsudo-"))
    etc = root / "etc"
    (etc / "sudoers.d").mkdir(parents=True)
    (etc / "sudoers").write_text(MAIN_SUDOERS)
    for name, text in SUDOERS_D.items():
        (etc / "sudoers.d" / name).write_text(text)
        os.chmod(etc / "sudoers.d" / name, 0o440)
    docker = root / "docker.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(docker))
    os.chmod(docker, 0o660)
    docker_gid = os.stat(docker).st_gid
    (etc / "group").write_text(
        "root:x:90000:\nadm:x:4:syslog,runner\nsudo:x:27:alice,runner\nadmin:x:116:runner\nwheel:x:10:\n"
        f"docker:x:{docker_gid}:runner\nops:x:500:runner\nrunner:x:1001:\nusers:x:100:runner\n")
    (etc / "gshadow").write_text("sudo:*:runner:alice,runner\nadmin:!::runner\ndocker:!::runner\nusers:!::runner\n")
    (etc / "passwd").write_text(PASSWD)
    (etc / "sudo.conf").write_text("# sudo.conf\nSet group_source static\n")
    checked = []

    def check(user):
        checked.append(user)
        return None

    paths = dict(sudoers_dir=etc / "sudoers.d", group_file=etc / "group", sudoers_file=etc / "sudoers",
                 gshadow_file=etc / "gshadow", passwd_file=etc / "passwd", sudo_conf=etc / "sudo.conf",
                 docker_socket=docker)
    yield {"root": root, "etc": etc, "paths": paths, "check": check, "checked": checked, "docker": docker}
    server.close()
    for path in sorted(root.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
    root.rmdir()


def test_revoke_sudo_takes_every_way_to_root_away_from_the_runner(system):
    etc, before_other = system["etc"], (system["etc"] / "sudoers.d" / "other").stat()
    done = revoke_sudo("runner", check=system["check"], **system["paths"])

    # 1. sudoers.d: the files that only granted runner are gone; other users' rules stay, byte for byte.
    assert sorted(p.name for p in (etc / "sudoers.d").iterdir()) == ["README", "mixed", "other"]
    assert (etc / "sudoers.d" / "mixed").read_text() == MIXED_AFTER
    assert stat.S_IMODE((etc / "sudoers.d" / "mixed").stat().st_mode) == 0o440
    after_other = (etc / "sudoers.d" / "other").stat()
    assert (after_other.st_ino, after_other.st_mtime_ns) == (before_other.st_ino, before_other.st_mtime_ns)
    assert (etc / "sudoers.d" / "README").read_text() == SUDOERS_D["README"]
    assert (etc / "sudoers").read_text() == MAIN_SUDOERS  # never edited

    # 2. groups: out of sudo, admin and ops (a %group of the main sudoers), as member and as admin.
    assert (etc / "group").read_text().splitlines() == [
        "root:x:90000:", "adm:x:4:syslog,runner", "sudo:x:27:alice", "admin:x:116:", "wheel:x:10:",
        f"docker:x:{os.stat(system['docker']).st_gid}:runner", "ops:x:500:", "runner:x:1001:", "users:x:100:runner"]
    assert (etc / "gshadow").read_text().splitlines() == [
        "sudo:*::alice", "admin:!::", "docker:!::runner", "users:!::runner"]
    conf = (etc / "sudo.conf").read_text()
    assert "Set group_source dynamic\n" in conf and "static" not in conf

    # 3. dockerd's socket: root only.
    assert stat.S_IMODE(os.stat(system["docker"]).st_mode) == 0o600

    # 4. verified, and nothing half-written is left behind.
    assert system["checked"] == ["runner"]
    assert done[-1] == "verified: no sudo rule is left for runner"
    assert len(done) == 8, done
    assert not [p for p in system["root"].rglob("*") if ".grader-" in p.name]


def test_a_second_revocation_changes_nothing(system):
    revoke_sudo("runner", check=system["check"], **system["paths"])
    files = {p: p.read_bytes() for p in system["etc"].rglob("*") if p.is_file()}
    assert revoke_sudo("runner", check=system["check"], **system["paths"]) == [
        "verified: no sudo rule is left for runner"]
    assert {p: p.read_bytes() for p in system["etc"].rglob("*") if p.is_file()} == files


def test_a_rule_left_anywhere_refuses_grading(system):
    with pytest.raises(RunnerError) as caught:
        revoke_sudo("runner", check=lambda user: f"sudo still grants {user} a rule ((ALL) NOPASSWD: ALL)",
                    **system["paths"])
    message = str(caught.value)
    assert message == ("--revoke-sudo runner: sudo still grants runner a rule ((ALL) NOPASSWD: ALL): "
                       "refusing to run student code")
    assert "\n" not in message


def test_a_docker_socket_that_stays_open_refuses_grading(system, monkeypatch):
    monkeypatch.setattr(runner.os, "chmod", lambda *args, **kwargs: None)
    with pytest.raises(RunnerError, match="docker.sock is still open to runner"):
        revoke_sudo("runner", check=system["check"], **dict(system["paths"], sudoers_dir=system["root"] / "none"))


@pytest.mark.parametrize("user, message", [
    ("root", "refusing to take sudo away from root"),
    ("", "not a user name"),
    ("runner; rm -rf /", "not a user name"),
    ("../runner", "not a user name"),
])
def test_bad_users_are_refused(system, user, message):
    with pytest.raises(RunnerError, match=message):
        revoke_sudo(user, check=system["check"], **system["paths"])
    assert (system["etc"] / "sudoers.d" / "runner").exists() and system["checked"] == []


def test_the_runner_is_found_through_its_uid_its_groups_and_aliases():
    names = runner.names_for("runner", 1001, [("docker", 118), ("users", 100)],
                             {"CI": {"runner"}, "EVERYONE": {"CI", "bob"}, "OTHERS": {"bob"}})
    for line in ["runner ALL=(ALL) ALL", "bob, runner ALL=(ALL) ALL", "#1001 ALL=(ALL) ALL",
                 "%docker ALL=(ALL) ALL", "%#118 ALL=(ALL) ALL", "%:users ALL=(ALL) ALL", "CI ALL=(ALL) ALL",
                 "EVERYONE ALL=(ALL) ALL", "ALL ALL=(ALL) ALL", "ALL, !runner ALL=(ALL) ALL"]:
        assert runner.grants(line, names), line
    for line in ["bob ALL=(ALL) ALL", "OTHERS ALL=(ALL) ALL", "%sudo ALL=(ALL) ALL", "Defaults:runner !lecture",
                 "# runner ALL=(ALL) ALL", "User_Alias CI = runner", "@includedir /etc/sudoers.d",
                 "#includedir /etc/sudoers.d", "runnerx ALL=(ALL) ALL"]:
        assert not runner.grants(line, names), line


def write_fake_sudo(folder, script):
    sudo = folder / "sudo"
    sudo.write_text("#!/bin/sh\n" + script)
    sudo.chmod(0o755)
    return sudo


@pytest.mark.parametrize("script, expected", [
    ('echo "User $4 is not allowed to run sudo on fv-az123-456."\n', None),
    ('printf "Matching Defaults entries for $4 on h:\\n    env_reset\\n\\nUser $4 may run the following commands'
     ' on h:\\n    (ALL) NOPASSWD: ALL\\n"\n', "sudo still grants runner a rule ((ALL) NOPASSWD: ALL)"),
    ('echo "sudo: unknown user runner" >&2\nexit 1\n',
     "`sudo -l -U runner` failed (sudo: unknown user runner), so the rules left cannot be checked"),
])
def test_the_check_asks_sudo_itself(tmp_path, monkeypatch, script, expected):
    write_fake_sudo(tmp_path, 'test "$1 $2 $3 $4" = "-n -l -U runner" || exit 9\n' + script)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert sudo_rules_left("runner") == expected


def test_the_listing_must_say_not_allowed_and_nothing_else():
    assert rules_in_listing("runner", "User runner is not allowed to run sudo on host.\n") is None
    assert rules_in_listing("runner", "User bob is not allowed to run sudo on host.\n") is not None
    assert rules_in_listing("runner", "") == "sudo still grants runner a rule (empty listing)"


def test_revoke_sudo_needs_root(monkeypatch, tmp_path, capsys):
    """As anyone but root, grade-roster --revoke-sudo refuses with one line before anything else."""
    monkeypatch.setattr(runner.os, "geteuid", lambda: 1001)
    monkeypatch.setattr(runner, "revoke_sudo", lambda *a, **k: pytest.fail("must not revoke"))
    code = cli.main(["grade-roster", "--out", str(tmp_path / "r"), "--revoke-sudo", "runner"])
    err = capsys.readouterr().err
    assert code == 2 and err == ("error: --revoke-sudo needs root: run the grader with sudo "
                                 "(this process runs as uid 1001)\n")
    assert not (tmp_path / "r").exists()


def test_grade_roster_revokes_before_grading_and_stops_when_it_fails(monkeypatch, tmp_path, capsys):
    calls = []
    monkeypatch.setattr(runner.os, "geteuid", lambda: 0)
    monkeypatch.setattr(runner, "official_isolation", lambda allow: calls.append("isolation") or "")

    def failing(user):
        calls.append(f"revoke {user}")
        raise RunnerError(f"--revoke-sudo {user}: sudo still grants {user} a rule (x): refusing to run student code")

    monkeypatch.setattr(runner, "revoke_sudo", failing)
    monkeypatch.setattr("grader.semester.grade_roster.grade_roster", lambda *a, **k: pytest.fail("graded after a failed revocation"))
    code = cli.main(["grade-roster", "--out", str(tmp_path / "r"), "--revoke-sudo", "runner", "--no-gradebook"])
    err = capsys.readouterr().err
    assert code == 2 and calls == ["isolation", "revoke runner"]
    assert err.startswith("error: --revoke-sudo runner: sudo still grants runner") and err.count("\n") == 1

    monkeypatch.setattr(runner, "revoke_sudo", lambda user: calls.append(f"revoke {user}") or ["done it"])
    monkeypatch.setattr("grader.semester.grade_roster.grade_roster", lambda *a, **k: calls.append("grade") or (["a1_cells"], []))
    calls.clear()
    assert cli.main(["grade-roster", "--out", str(tmp_path / "r"), "--revoke-sudo", "runner", "--no-gradebook"]) == 0
    assert calls == ["isolation", "revoke runner", "grade"]
    assert "revoke-sudo: done it\n" in capsys.readouterr().err


def test_reports_written_as_root_are_handed_back_to_the_sudo_user(tmp_path):
    """grade.yml grades as root; the steps after it run as the runner user and write into --out."""
    if os.geteuid() != 0:
        pytest.skip("needs root (CI runs make test under sudo)")
    out = tmp_path / "reports"
    (out / "sub").mkdir(parents=True)
    (out / "ada.json").write_text("{}")
    os.symlink("/etc/passwd", out / "link")
    before = os.stat("/etc/passwd").st_uid
    assert runner.hand_back(out, {"SUDO_UID": "65534", "SUDO_GID": "65534"}) == 4
    assert {os.lstat(p).st_uid for p in (out, out / "sub", out / "ada.json", out / "link")} == {65534}
    assert os.stat("/etc/passwd").st_uid == before, "a link is never followed"
    assert runner.hand_back(out, {}) == 0, "without sudo's variables nothing changes"
