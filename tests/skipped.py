"""After `make check`: one line per skipped test, with its reason, read from
ctest's log of the run (BUILD/Testing/Temporary/LastTest.log). A Python test
file in which some tests skip still counts as "Passed" in ctest; this makes
those skips visible. It never fails the run.

unittest (verbosity 2, as harness.main() runs it) writes
    test_name (module.Class.test_name) ... skipped 'reason'
and for a class skipped in setUpClass
    setUpClass (module.Class) ... skipped 'reason'
The "skipped" part may start a line of its own when the test wrote to
stderr in between."""

import ast
import os
import re
import sys

TEST_RX = re.compile(r"^\d+/\d+ Test: (\S+)$")
CASE_RX = re.compile(r"^(\w+) \(([\w.]+)\) \.\.\. ")
SKIP_RX = re.compile(r"(?:^|\.\.\. )skipped (['\"].*['\"])$")


def reason(literal):
    try:
        return ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return literal


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    log = os.path.join(build, "Testing", "Temporary", "LastTest.log")
    try:
        with open(log, errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return 0
    test = case = None
    skips = []
    for line in lines:
        m = TEST_RX.match(line)
        if m:
            test, case = m.group(1), None
            continue
        m = CASE_RX.match(line)
        if m:
            name, where = m.groups()
            parts = where.split(".")  # module.Class, or module.Class.name
            if parts[-1] == name:
                parts.pop()
            case = ("%s (whole class)" % parts[-1] if name == "setUpClass"
                    else "%s.%s" % (parts[-1], name))
        m = SKIP_RX.search(line)
        if m and test and case:
            skips.append("%s %s: %s" % (test, case, reason(m.group(1))))
            case = None
    if skips:
        print("Skipped (%d), each with its reason:" % len(skips))
        for s in skips:
            print("  " + s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
