#!/usr/bin/env bash
# Builds prid's Debian package from the committed tree with Debian's own
# tools (dpkg-buildpackage -us -uc -b) in a scratch copy, so that nothing is
# written beside the checkout; the .deb lands in build-deb/ (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-build-deb}")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/prid" "$out"
git archive HEAD | tar -x -C "$scratch/prid"
(cd "$scratch/prid" && dpkg-buildpackage -us -uc -b)
cp "$scratch"/*.deb "$out"/
for deb in "$out"/*.deb; do
  echo "== $deb"
  dpkg-deb -c "$deb" | awk '{print $6}'
done
