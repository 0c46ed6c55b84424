#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang (-fsanitize=fuzzer,
# address,undefined; the runtime is Debian's libclang-rt-14-dev) and runs
# each for a bounded time or number of executions, starting from the
# minimized corpus kept in tests/fuzz/corpus/<target>/ plus seeds from
# ../shared/traces and generated calls. Any crash, leak, sanitizer report or
# round-trip mismatch fails the run. At the end it prints, per target, the
# executions, libFuzzer's final coverage (cov: and ft:) and the corpus size.
#
# usage: scripts/fuzz.sh [--seconds N | --runs N] [--target NAME]... [--jobs J]
#                        [--work DIR] [--update-corpus]
#   --seconds N       each target for N seconds (default 20, none with --runs)
#   --runs N          each target for N executions (libFuzzer -runs=N); with
#                     --seconds too, whichever comes first
#   --target NAME     only this target (repeatable); default: all of them
#   --jobs J          J compilers, then J targets at once (default 1), one libFuzzer
#                     process each
#   --work DIR        objects, binaries, logs and the working corpora (default build/fuzz)
#   --update-corpus   afterwards, merge (libFuzzer -merge=1) the repository corpus and
#                     the run's finds into a minimized tests/fuzz/corpus/<target>/
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
all_targets=(frame pcap text_trace json_rpc dchannel config)
usage="usage: $0 [--seconds N | --runs N] [--target NAME]... [--jobs J] [--work DIR] [--update-corpus]"
seconds=""
runs=""
jobs=1
work="$root/build/fuzz"
update_corpus=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --target) targets+=("$2"); shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --update-corpus) update_corpus=1; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz: unknown target '$t' (${all_targets[*]})" >&2; exit 2; }
done
traces="$root/../shared/traces"
cxx="${CLANGXX:-clang++}"
command -v "$cxx" >/dev/null || { echo "fuzz: $cxx not found (scripts/install-deps.sh)" >&2; exit 1; }

mkdir -p "$work/obj" "$work/corpus" "$work/gen"
# meson's generated prid_build_config.h, for the sources that include it
# (daemon/config: the CDR state directory); rewritten only when it changes.
build_config='// The fuzz build: a stand-in for the header meson generates.
#pragma once
#define PRID_VERSION "fuzz"
#define PRID_DEFAULT_CONFIG "/etc/prid/prid.conf"
#define PRID_STATE_DIR "/var/lib/prid"'
[ "$(cat "$work/gen/prid_build_config.h" 2>/dev/null)" = "$build_config" ] ||
  printf '%s\n' "$build_config" > "$work/gen/prid_build_config.h"
# -Wno-unused-const-variable: clang (not gcc, the build's compiler) flags unused
# namespace-scope constants.
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -I"$root" -I"$work/gen" -Wall -Wextra -Werror
       -Wno-unused-const-variable)
# Coverage guidance on prid's own code (tests/fuzz/coverage_ignorelist.txt says why).
san=(-fsanitize=address,undefined -fno-sanitize-recover=all
     -fsanitize-coverage-ignorelist="$root/tests/fuzz/coverage_ignorelist.txt")
# The decoders, trace readers and the socket's JSON-RPC (every target).
lib_sources=(
  base/hex.cc base/log.cc base/time_format.cc base/unique_fd.cc
  q931/cisco_trace_reader.cc q931/frame.cc q931/ie.cc q931/lapd.cc q931/link_payload.cc q931/message.cc q931/names.cc
  q931/pcap_reader.cc q931/pcap_writer.cc q931/pcapng_reader.cc q931/synthetic_trace.cc
  q931/text_trace_reader.cc q931/trace_json.cc q931/trace_pcap_export.cc q931/trace_reader.cc
  q931/trace_view.cc
  ipc/errors.cc ipc/json_rpc.cc ipc/line_framer.cc ipc/params.cc
)
# The config reader (config_fuzzer, dchannel_fuzzer).
config_sources=(daemon/config/config.cc daemon/config/config_diff.cc)
# A live span: libpri, the UUI rewriter, the session model (dchannel_fuzzer).
span_sources=(
  q931/party.cc q931/pri_call.cc q931/pri_link.cc q931/uui_rewriter.cc
  dahdi-glue/conference_mixer.cc dahdi-glue/dahdi_dchannel.cc dahdi-glue/dahdi_system.cc
  dahdi-glue/sim_transport.cc
  daemon/session/call.cc daemon/session/session_model.cc daemon/session/session_model_conference.cc
  daemon/line/channel_pool.cc daemon/line/channel_retry.cc daemon/line/channel_service.cc
  daemon/line/conference_media.cc daemon/line/ev_timer.cc daemon/line/libpri_settings.cc
  daemon/line/pri_driver.cc daemon/line/restart_procedure.cc daemon/line/sim_peer.cc
  daemon/line/span.cc
)
link_libs=(-lfmt -lsimdjson -lsystemd)
config_libs=()
span_libs=(-lpri -lev)

object_of() { echo "$work/obj/$(echo "$1" | tr / _).o"; }
# An object is stale when it is missing, older than this script, its source
# or the coverage ignorelist, or older than any header its last compile read
# (the compiler's -MMD list): a struct that changed in a header must not
# link with objects built against its old layout.
stale() {  # object source
  local obj="$1" src="$2" dep
  [ -f "$obj" ] && [ -f "$obj.d" ] || return 0
  { [ "$0" -nt "$obj" ] || [ "$root/$src" -nt "$obj" ] ||
    [ "$root/tests/fuzz/coverage_ignorelist.txt" -nt "$obj" ]; } && return 0
  for dep in $(sed -e 's/\\$//' -e 's/^[^:]*://' "$obj.d"); do
    [ "$dep" -nt "$obj" ] && return 0
  done
  return 1
}
# Compiles source (with extra flags) when its object is stale; runs in the
# background, at most $jobs at once.
compile_jobs=()
compile() {  # source [flags…]
  local src="$1" obj
  obj="$(object_of "$1")"
  shift
  if stale "$obj" "$src"; then
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    "$cxx" "${flags[@]}" "${san[@]}" "$@" -fsanitize=fuzzer-no-link -MMD -MF "$obj.d.tmp" -c "$root/$src" \
      -o "$obj.tmp" && mv "$obj.d.tmp" "$obj.d" && mv "$obj.tmp" "$obj" &
    compile_jobs+=($!)
  fi
}
# toml++ is compiled into the config reader here (header-only, so that its
# parser is instrumented too), with its internal asserts off as in the
# library the daemon links: toml++ 3.3.0 asserts on input it then rejects
# with an error (a NUL where a key starts: "[[\0"), and with UBSan's
# unreachable check off: toml++ 3.3.0 reaches __builtin_unreachable() on
# some non-ASCII characters (upstream marzer/tomlplusplus#295, fixed by #305).
toml_flags=(-DTOML_HEADER_ONLY=1 "-DTOML_ASSERT(expr)=static_assert(true)" -fno-sanitize=unreachable)
lib_objects=() config_objects=() span_objects=()
for src in "${lib_sources[@]}"; do compile "$src"; lib_objects+=("$(object_of "$src")"); done
for src in "${config_sources[@]}"; do compile "$src" "${toml_flags[@]}"; config_objects+=("$(object_of "$src")"); done
for src in "${span_sources[@]}"; do compile "$src"; span_objects+=("$(object_of "$src")"); done
compile_failed=0
for pid in "${compile_jobs[@]}"; do wait "$pid" || compile_failed=1; done
[ "$compile_failed" -eq 0 ] || { echo "fuzz: compiling the targets failed" >&2; exit 1; }

"$cxx" "${flags[@]}" "${san[@]}" "$root/tests/fuzz/make_seeds.cc" "${lib_objects[@]}" "${link_libs[@]}" \
  -o "$work/make_seeds"
rm -rf "$work/seeds"
"$work/make_seeds" "$traces" "$work/seeds" "$root/config"

build_target() {  # target → its fuzzer binary
  local target="$1" extra=()
  case "$target" in
    config) extra=("${config_objects[@]}" "${config_libs[@]}") ;;
    dchannel) extra=("${span_objects[@]}" "${config_objects[@]}" "${config_libs[@]}" "${span_libs[@]}") ;;
  esac
  "$cxx" "${flags[@]}" "${san[@]}" -fsanitize=fuzzer "$root/tests/fuzz/${target}_fuzzer.cc" \
    "${lib_objects[@]}" "${extra[@]}" "${link_libs[@]}" -o "$work/${target}_fuzzer"
}
for target in "${targets[@]}"; do build_target "$target"; done

fuzz_flags=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
# The longest input a target gets: one LAPD frame carries at most N201 =
# 260 octets of Q.931 (Q.921 5.9.3) plus its address and control, so the
# frame target gets 512, room for over-long frames too (beyond that an
# input only costs time: the views it is rendered into grow with it);
# files, traces, request streams and D-channel sessions get 4096.
max_len_of() {
  case "$1" in
    frame) echo 512 ;;
    *) echo 4096 ;;
  esac
}
[ -n "$runs" ] || [ -n "$seconds" ] || seconds=20
[ -z "$runs" ] || fuzz_flags+=(-runs="$runs")
[ -z "$seconds" ] || fuzz_flags+=(-max_total_time="$seconds")

# One target: fuzzes from its repository corpus (copied into the work dir,
# where new finds stay) and its seeds; writes a one-line summary.
run_target() {
  local target="$1" bin="$work/${target}_fuzzer" corpus="$work/corpus/$target"
  local kept="$root/tests/fuzz/corpus/$target" seeds="$work/seeds/$target"
  local log="$work/$target.log" summary="$work/$target.summary" start=$SECONDS status=0
  mkdir -p "$corpus" "$seeds"
  [ -d "$kept" ] && cp -n "$kept"/* "$corpus"/ 2>/dev/null || true
  "$bin" "${fuzz_flags[@]}" -max_len="$(max_len_of "$target")" -artifact_prefix="$work/${target}-" "$corpus" "$seeds" >"$log" 2>&1 || status=$?
  local elapsed=$((SECONDS - start))
  local execs cov ft files size
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  files=$(find "$corpus" -type f | wc -l)
  size=$(du -sk --apparent-size "$corpus" | awk '{print $1}')
  local result=ok
  [ "$status" -eq 0 ] || result="FAILED (see $log)"
  printf 'fuzz %-10s %s: %s executions in %ss (%s/s), cov: %s ft: %s, corpus %s files %s KB\n' \
    "$target" "$result" "${execs:-?}" "$elapsed" "$(( ${execs:-0} / (elapsed > 0 ? elapsed : 1) ))" \
    "${cov:-?}" "${ft:-?}" "$files" "$size" >"$summary"
  if [ "$status" -ne 0 ]; then
    ls "$work/${target}-"* 2>/dev/null | sed 's/^/  artifact: /' >>"$summary" || true
    return 1
  fi
  if [ "$update_corpus" -eq 1 ]; then
    local merged="$work/merged/$target"
    rm -rf "$merged" && mkdir -p "$merged" "$kept"
    "$bin" -merge=1 -max_len="$(max_len_of "$target")" -timeout=10 -rss_limit_mb=2048 "$merged" "$kept" "$corpus" \
      >"$work/$target.merge.log" 2>&1
    rm -f "$kept"/* && cp "$merged"/* "$kept"/
    printf '  corpus kept in tests/fuzz/corpus/%s: %s files %s KB\n' "$target" \
      "$(find "$kept" -type f | wc -l)" "$(du -sk --apparent-size "$kept" | awk '{print $1}')" >>"$summary"
  fi
}

for target in "${targets[@]}"; do
  rm -f "$work/$target.summary" "$work/${target}-"*
  run_target "$target" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
done
wait || true
status=0
for target in "${targets[@]}"; do
  if grep -q ' ok: ' "$work/$target.summary" 2>/dev/null; then
    cat "$work/$target.summary"
  else
    cat "$work/$target.summary" 2>/dev/null || echo "fuzz $target: no result"
    tail -40 "$work/$target.log"
    status=1
  fi
done
exit $status
