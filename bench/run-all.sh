#!/bin/sh
# Runs every benchmark against one build; each prints its own figures and
# ratios against a baseline measured in the same run.
#   bench/run-all.sh BUILD_DIR        (make bench does this with build/)
set -u
if [ $# -lt 1 ]; then
    echo "usage: bench/run-all.sh BUILD_DIR" >&2
    exit 2
fi
here=$(dirname "$0")
build=$1
status=0
for b in shim-overhead restart-latency idle-cpu percall socket-handoff poll-cost lang-startup lang-syscalls; do
    echo "== $b"
    "$here/$b" "$build" || { echo "== $b failed (status $?)"; status=1; }
    echo
done
exit $status
