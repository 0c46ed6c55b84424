#!/usr/bin/env bash
# Installs what prid needs, builds it twice — as shipped, and with
# AddressSanitizer + UndefinedBehaviorSanitizer — and runs every test in
# both builds. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step's wall time, printed at the end: CI has a time budget.
timings=()
timed() {  # label command…
  local label="$1" start=$SECONDS rc=0
  shift
  "$@" || rc=$?
  timings+=("$(printf '%-28s %4d s' "$label" $((SECONDS - start)))")
  return $rc
}

timed "install-deps" bash scripts/install-deps.sh

setup() {  # DIR [meson options…]
  local dir=$1; shift
  if [ -d "$dir/meson-private" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

# No debug info in the plain tree: it compiles about a sixth faster, and the
# asan tree is the one to debug in.
setup build -Ddebug=false
# -O0: compiles about twice as fast, and the sanitizers see everything.
setup build-asan --buildtype=debug -Dbench=false -Db_sanitize=address,undefined -Db_lundef=false

# UB is an error, not a warning; leaks fail the sanitized run.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1

status=0
timed "build" ninja -C build
# --setup full: every suite, fuzz included (a plain `meson test` leaves it out).
timed "test" meson test -C build --setup full --print-errorlogs --num-processes 2 || status=1
timed "build-asan" ninja -C build-asan
timed "test build-asan" meson test -C build-asan --setup full --print-errorlogs --num-processes 2 || status=1
printf '%s\n' "${timings[@]}"

# A named setup writes its log as testlog-SETUP.json.
python3 scripts/test_summary.py build/meson-logs/testlog-full.json build-asan/meson-logs/testlog-full.json
exit $status
