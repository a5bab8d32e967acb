#!/usr/bin/env bash
# Usage: scripts/system_packages.sh check|install
#
# The Debian packages some backends and mirrors need: every line of
# system-packages.txt that is not a comment, plus golang-go when no `go` is on
# PATH. Never calls sudo.
#
#   check    prints nothing when nothing is missing, or when this user may
#            install (root: `install` will do it); otherwise ONE line with the
#            exact command to run, and exits 1. The Makefile stops with it.
#   install  as root, installs what is missing with apt-get; as another user
#            with something missing, prints the same line as `check` and
#            exits 1.
#
# Without dpkg and apt-get (not a Debian-like system) there is nothing it can
# check or install: it prints nothing, and the tests that need a package say
# so themselves (README, "Prerequisites").
set -uo pipefail
cd "$(dirname "$0")/.."

command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 || exit 0

missing=()
while read -r package; do
    case "$package" in '' | '#'*) continue ;; esac
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done < system-packages.txt
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ ${#missing[@]} -eq 0 ] && exit 0

root=$([ "$(id -u)" = 0 ] && echo yes || echo no)
case "${1:-}" in
check)
    [ "$root" = yes ] && exit 0
    ;;
install)
    if [ "$root" = yes ]; then
        echo "apt-get install ${missing[*]}"
        apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
        exit
    fi
    ;;
*)
    echo "usage: $0 check|install" >&2
    exit 2
    ;;
esac
echo "missing system packages (system-packages.txt): run 'sudo apt-get update && sudo apt-get install -y ${missing[*]}' (or the same as root), then make again"
exit 1
