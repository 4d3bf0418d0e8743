#!/bin/sh
# Runs as root inside fresh mount, network and PID namespaces (see grader/sandbox.py) and then
# becomes an unprivileged user to exec the worker (or a notebook kernel).
#
#   sandbox-launch.sh UID "HIDE..." "KEEP..." "OWN..." -- COMMAND...
#
# HIDE: folders covered by an empty tmpfs (the repository with grader/ and solutions/, /tmp with
#       other students' copies and nbgrader's course folders, /root, /home, shared memory);
# KEEP: paths inside them that stay visible (the Python installation, rnnutils, this worker's folder);
# OWN:  paths given to UID, so that the student's code can write its own working folder.
set -eu
uid=$1; hide=$2; keep=$3; own=$4; shift 5

mount --make-rprivate /
stage=$(mktemp -d /run/grader-stage.XXXXXX)
mount -t tmpfs -o mode=700 tmpfs "$stage"
kept=""
i=0
for path in $keep; do
    [ -e "$path" ] || continue
    i=$((i + 1))
    if [ -d "$path" ]; then mkdir "$stage/$i"; else touch "$stage/$i"; fi
    mount --bind "$path" "$stage/$i"
    kept="$kept $path"
done
for path in $hide; do
    if [ -d "$path" ]; then mount -t tmpfs -o mode=755 tmpfs "$path"; fi
done
chmod 1777 /tmp
i=0
for path in $kept; do
    i=$((i + 1))
    if [ -d "$stage/$i" ]; then mkdir -p "$path"; else mkdir -p "$(dirname "$path")" && touch "$path"; fi
    mount --bind "$stage/$i" "$path"
done
umount -l "$stage"
rmdir "$stage"
for path in $own; do
    chown -R "$uid:$uid" "$path"
done
# Re-enter the working folder through the new mounts: the old handle would let `..` reach the
# hidden folders underneath.
cd "$(pwd -P)"
exec setpriv --reuid="$uid" --regid="$uid" --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all "$@"
