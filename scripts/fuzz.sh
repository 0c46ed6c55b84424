#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang (-fsanitize=fuzzer,
# address,undefined; the runtime is Debian's libclang-rt-14-dev) and runs
# each for a bounded time, seeded from ../shared/traces and generated calls.
# Any crash, leak, sanitizer report or round-trip mismatch fails the run.
# usage: scripts/fuzz.sh [--seconds N] [--work DIR]   (default 20 s, build/fuzz)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds=20
work="$root/build/fuzz"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--work DIR]" >&2; exit 2 ;;
  esac
done
traces="$root/../shared/traces"
cxx="${CLANGXX:-clang++}"
command -v "$cxx" >/dev/null || { echo "fuzz: $cxx not found (scripts/install-deps.sh)" >&2; exit 1; }

mkdir -p "$work/obj" "$work/corpus"
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -I"$root" -Wall -Wextra -Werror)
san=(-fsanitize=address,undefined -fno-sanitize-recover=all)
lib_sources=(
  base/hex.cc base/time_format.cc
  q931/frame.cc q931/ie.cc q931/lapd.cc q931/link_payload.cc q931/message.cc q931/names.cc
  q931/pcap_reader.cc q931/pcap_writer.cc q931/pcapng_reader.cc q931/synthetic_trace.cc
  q931/text_trace_reader.cc q931/trace_json.cc q931/trace_pcap_export.cc q931/trace_reader.cc
  q931/trace_view.cc
  ipc/errors.cc ipc/json_rpc.cc ipc/line_framer.cc ipc/params.cc
)
compile() {  # source → object, rebuilt when the source is newer
  local src="$1" obj="$work/obj/$(echo "$1" | tr / _).o"
  if [ ! -f "$obj" ] || [ "$root/$src" -nt "$obj" ]; then
    "$cxx" "${flags[@]}" "${san[@]}" -fsanitize=fuzzer-no-link -c "$root/$src" -o "$obj"
  fi
  echo "$obj"
}
export -f compile
objects=()
for src in "${lib_sources[@]}"; do objects+=("$(compile "$src")"); done

link_libs=(-lfmt -lsimdjson)
"$cxx" "${flags[@]}" "${san[@]}" "$root/tests/fuzz/make_seeds.cc" "${objects[@]}" "${link_libs[@]}" \
  -o "$work/make_seeds"
rm -rf "$work/seeds"
"$work/make_seeds" "$traces" "$work/seeds"

status=0
for target in frame pcap text_trace json_rpc; do
  bin="$work/${target}_fuzzer"
  "$cxx" "${flags[@]}" "${san[@]}" -fsanitize=fuzzer "$root/tests/fuzz/${target}_fuzzer.cc" \
    "${objects[@]}" "${link_libs[@]}" -o "$bin"
  seeds="$work/seeds/${target%_trace}"
  corpus="$work/corpus/$target"
  mkdir -p "$corpus"
  log="$work/$target.log"
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
       -print_final_stats=1 -artifact_prefix="$work/${target}-" "$corpus" "$seeds" >"$log" 2>&1; then
    runs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "fuzz $target: ok, ${runs:-?} executions in ${seconds}s"
  else
    echo "fuzz $target: FAILED (see $log)"
    tail -40 "$log"
    status=1
  fi
done
exit $status
