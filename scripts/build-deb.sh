#!/usr/bin/env bash
# Builds prid's Debian package from the committed tree with Debian's own
# tools (dpkg-buildpackage -us -uc -b) in a scratch copy, so that nothing is
# written beside the checkout; the .deb lands in build-deb/ (or OUT).
# --worktree packages the checkout as it is instead (tracked and untracked
# files, not the ignored ones): what tests/scripts/deb_package_test.py checks.
set -euo pipefail
usage="usage: build-deb.sh [--worktree] [OUT]"
worktree=0
if [ "${1:-}" = "--worktree" ]; then worktree=1; shift; fi
[ $# -le 1 ] || { echo "$usage" >&2; exit 2; }
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-build-deb}")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/prid" "$out"
if [ $worktree = 1 ]; then
  # Files deleted but not yet committed are left out.
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -x -C "$scratch/prid"
else
  git archive HEAD | tar -x -C "$scratch/prid"
fi
(cd "$scratch/prid" && dpkg-buildpackage -us -uc -b)
cp "$scratch"/*.deb "$out"/
for deb in "$out"/*.deb; do
  echo "== $deb"
  dpkg-deb -c "$deb" | awk '{print $6}'
done
