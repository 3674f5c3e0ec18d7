#!/bin/sh
# Runs every benchmark against one build; each prints its own figures and
# ratios against a baseline measured in the same run.
#   bench/run-all.sh BUILD_DIR        (make bench does this with build/)
# The two long ones run on their own: bench/peers/run BUILD_DIR (the peers,
# about 20 minutes) and bench/scale BUILD_DIR (100,000 files).
set -u
if [ $# -lt 1 ]; then
    echo "usage: bench/run-all.sh BUILD_DIR" >&2
    exit 2
fi
here=$(dirname "$0")
build=$1
status=0
for b in shim-overhead restart-latency restart-breakdown shim-init idle-cpu percall socket-handoff poll-cost lang-startup; do
    echo "== $b"
    "$here/$b" "$build" || { echo "== $b failed (status $?)"; status=1; }
    echo
done
exit $status
