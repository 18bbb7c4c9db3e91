#!/bin/bash
# Runs every libFuzzer target for a set time, one at a time, each under the
# build lock (released between targets), and writes a summary of executions
# and findings per target to build/fuzz/fuzz/summary.tsv.
# usage: bench/fuzz.sh [seconds per target] [target ...]
# Build first: cmake --preset fuzz && cmake --build --preset fuzz
set -u
cd "$(dirname "$0")/.."
seconds=${1:-240}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(sniff multipart containers image pdf chat_request page_json)
dir=build/fuzz/fuzz
lock=${OCRCHAT_BUILD_LOCK:-/work/build.lock}
testdata=${OCRCHAT_TESTDATA:-$(pwd)/../shared/testdata}
[ -d "$dir/corpus" ] || fuzz/seed_corpus.sh "$testdata" "$dir/corpus"
summary=$dir/summary.tsv
[ -f "$summary" ] || printf 'target\tseconds\texecs\tcorpus\tfindings\tdate\n' > "$summary"
for t in "${targets[@]}"; do
  bin=$dir/${t}_fuzz
  [ -x "$bin" ] || { echo "no $bin: build the fuzz preset first" >&2; exit 1; }
  mkdir -p "$dir/corpus/$t" "$dir/findings/$t"
  log=$dir/$t.log
  # -fork would need more cores; one process, stopping at the first finding
  # (its input is written to findings/<target>/).
  flock "$lock" env ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    LSAN_OPTIONS=suppressions=fuzz/lsan.supp:print_suppressions=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" "$dir/corpus/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$dir/findings/$t/" -print_final_stats=1 > "$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  findings=$(ls "$dir/findings/$t" | wc -l)
  corpus=$(ls "$dir/corpus/$t" | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$seconds" "${execs:-?}" "$corpus" "$findings" \
    "$(date -u +%FT%TZ)" >> "$summary"
  echo "$t: ${execs:-?} execs in ${seconds}s, corpus $corpus, findings $findings (exit $rc, log $log)"
done
column -t -s $'\t' "$summary"
