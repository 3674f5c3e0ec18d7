#!/bin/sh
# Run every fuzz target for SECONDS each, one after another (one core):
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
# Each target starts from the checked-in seeds (tests/fuzz/corpus/TARGET,
# read only) plus what earlier runs found (BUILD_DIR/corpus/TARGET, where new
# inputs go). A crash, leak, hang (-timeout) or failed check leaves its input
# in BUILD_DIR/artifacts/ and makes this script exit non-zero.
set -eu
build=$1
secs=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- wire pathnorm options
mkdir -p "$build/artifacts"
status=0
for t in "$@"; do
    mkdir -p "$build/corpus/$t"
    log="$build/fuzz-$t.log"
    echo "fuzz: $t for ${secs}s (log: $log)"
    if "$build/fuzz_$t" -max_total_time="$secs" -timeout=10 -max_len=12288 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
        "$build/corpus/$t" "$src/corpus/$t" >"$log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
        echo "fuzz: $t ok: $execs runs; ${last#* }"
    else
        status=1
        echo "fuzz: $t FAILED:" >&2
        grep -E 'check failed|ERROR:|SUMMARY:|Test unit written' "$log" >&2 || tail -n 20 "$log" >&2
    fi
done
exit $status
