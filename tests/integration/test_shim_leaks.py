"""The shim in a program making 10^6 intercepted calls across threads and
forks (tests/progs/shim_calls.c), with its records going to a test socket as
they go to the supervisor (see test_shim_channel.py): no memory error, no leak.

- Default build: the full 10^6 calls (8 threads x 125,000, two forks per
  thread whose children make 1000 calls each) run plain; then a smaller run
  (4 threads x 10,000, same forks) under valgrind's memcheck, which follows
  the forks: every process must end with no error, the parent with no byte in
  use at exit, and no block left in use anywhere was allocated through the
  shim.
- Sanitizer build: the program and the shim are built with ASan+UBSan; the
  same 10^6 calls with LeakSanitizer on, in the parent and in every child.
  The valgrind case is skipped there (valgrind cannot run ASan code)."""

import collections
import glob
import os
import re
import select
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from test_shim_channel import decode, open_test_channel
from test_shim_trace import PROGS, SANITIZED, TIMEOUT, _preload

THREADS, CALLS, FORKS = 8, 125_000, 2          # 10^6 calls in the parent
VG_THREADS, VG_CALLS = 4, 10_000                # under valgrind: about 20x slower per call
SHIM_SOURCES = ("libtrack.so", "track.c", "wrap_fs.c", "wrap_exec.c", "dedupe.c",
                "pathnorm.c", "extset.c", "flavour.c", "dlopen.S")


class ShimLeaks(unittest.TestCase):
    def setUp(self):
        open_test_channel(self, "aw-leaks-")
        self.exe = Path(PROGS) / "shim_calls"
        if not self.exe.exists():
            self.skipTest("%s not built" % self.exe)
        for k in range(8):
            self.write("t%d.json" % k, "{}\n")
            self.write("u%d.dat" % k, "x\n")
        (self.tmp / "sub").mkdir()

    def write(self, rel, text):
        p = self.tmp / rel
        p.write_text(text)
        return p

    def drain(self, wait):
        while True:
            r, _, _ = select.select([self.sock], [], [], wait)
            if not r:
                return
            self.records.append(decode(self.sock.recv(70000)))

    def run_shim(self, argv, extra=None, logs=None):
        """Run argv under the shim, its records to our socket; (process, stdout)."""
        e = dict(os.environ)
        for k in ("AUTOWRAP_TRACE", "AUTOWRAP_EXT", "AUTOWRAP_ALL"):
            e.pop(k, None)
        e["LD_PRELOAD"] = _preload()
        e["AUTOWRAP_SOCK"] = self.sockpath
        if SANITIZED:
            e["ASAN_OPTIONS"] = "detect_leaks=0:verify_asan_link_order=0"
        e.update(extra or {})
        p = subprocess.Popen(argv, env=e, cwd=str(self.tmp), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + TIMEOUT
        while p.poll() is None and time.monotonic() < deadline:
            self.drain(0.05)
        if p.poll() is None:
            p.kill()
        out, err = p.communicate(timeout=TIMEOUT)
        self.drain(0.2)
        if p.returncode != 0 and logs:
            err += "".join("\n--- %s\n%s" % (f, Path(f).read_text()[-3000:])
                           for f in sorted(glob.glob(str(logs / "*.log"))))
        self.assertEqual(p.returncode, 0, "%s: exit %s\n%s" % (argv, p.returncode, err[-12000:]))
        noise = re.compile(r"^==\d+==Running thread \d+ was not suspended")
        self.assertNotRegex(err, r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:",
                            "\n".join(l for l in err.splitlines() if not noise.match(l)))
        return p, out

    def run_calls(self, threads, calls, wrapper=(), extra=None, logs=None):
        argv = list(wrapper) + [str(self.exe), str(self.tmp), str(threads), str(calls),
                                str(FORKS)]
        p, out = self.run_shim(argv, extra, logs)
        m = re.search(r"^calls (\d+) pid (\d+)$", out, re.M)
        self.assertIsNotNone(m, out)
        expect = threads * calls + threads * FORKS * 1000 + 1000
        self.assertEqual(int(m.group(1)), expect, out)
        return int(m.group(2)), p

    def check_records(self, parent, nchildren):
        """The shim kept working: the parent reported each tracked file once
        per kind, and every child reported new missing names of its own."""
        per = collections.Counter((k, pid, pth) for k, pid, pth, _ in self.records)
        for k in range(8):
            t = str(self.tmp / ("t%d.json" % k))
            self.assertEqual(per[("read", parent, t)], 1, t)
            self.assertEqual(per[("stat", parent, t)], 1, t)
        for k in range(8):
            self.assertNotIn(str(self.tmp / ("u%d.dat" % k)), {p for _, _, p, _ in self.records})
        kids = {pid for k, pid, pth, _ in self.records
                if k == "missing" and "/miss-" in pth and pid != parent}
        self.assertEqual(len(kids), nchildren, "children that reported")

    @unittest.skipIf(SANITIZED, "the sanitizer build runs the same calls as test_asan_...")
    def test_million_calls_threads_forks_plain(self):
        parent, _ = self.run_calls(THREADS, CALLS)
        self.check_records(parent, THREADS * FORKS)

    @unittest.skipUnless(SANITIZED, "needs the sanitizer build")
    def test_asan_million_calls_threads_forks_no_error_no_leak(self):
        # LeakSanitizer on (the other shim tests turn it off for the programs
        # they run: python and sh leak by design).
        parent, p = self.run_calls(THREADS, CALLS, extra={
            "ASAN_OPTIONS": "detect_leaks=1:verify_asan_link_order=0"})
        self.check_records(parent, THREADS * FORKS)
        # run_shim asserted exit 0 and no report on stderr: an ASan error
        # aborts, a leak exits 23, and a child's failure fails the parent.
        # (A child forked by a worker thread prints "Running thread N was
        # not suspended" for the threads it did not inherit: noise.)

    @unittest.skipIf(SANITIZED, "valgrind cannot run an ASan-built program")
    def test_valgrind_memcheck_threads_forks_no_error_no_leak(self):
        vg = shutil.which("valgrind")
        if not vg:
            self.skipTest("valgrind not installed (tests/setup.sh check installs it)")
        logs = self.tmp / "vg"
        logs.mkdir()
        wrapper = [vg, "--tool=memcheck", "--error-exitcode=99", "--leak-check=full",
                   "--show-leak-kinds=all", "--errors-for-leak-kinds=definite,indirect",
                   "--child-silent-after-fork=no", "--log-file=%s/%%p.log" % logs]
        parent, _ = self.run_calls(VG_THREADS, VG_CALLS, wrapper, logs=logs)
        self.check_records(parent, VG_THREADS * FORKS)
        files = sorted(glob.glob(str(logs / "*.log")))
        self.assertEqual(len(files), 1 + VG_THREADS * FORKS, "a log per process")
        for f in files:
            text = Path(f).read_text()
            self.assertRegex(text, r"ERROR SUMMARY: 0 errors", f + ":\n" + text)
            # any block still in use that was allocated through the shim
            for rec in re.split(r"\n==\d+== \n", text):
                if "in loss record" in rec:
                    self.assertFalse(any(s in rec for s in SHIM_SOURCES), f + ":\n" + rec)
        ptext = (logs / ("%d.log" % parent)).read_text()
        self.assertIn("in use at exit: 0 bytes in 0 blocks", ptext, ptext)


if __name__ == "__main__":
    unittest.main(verbosity=2)
