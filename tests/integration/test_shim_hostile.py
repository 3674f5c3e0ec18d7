"""Hostile processes against libtrack.so (issue 3), through the datagram
channel played by a test socket (see test_shim_channel.py): records are
counted per pid."""

import collections
import os
import unittest
from pathlib import Path

from test_shim_channel import ChannelCase
from test_shim_trace import PROGS, SANITIZED, TIMEOUT, ShimCase, progpath


class Hostile(ChannelCase):
    def prog(self, name):
        return progpath(self, name)

    def test_64_threads_with_forks_once_per_process(self):
        threads, forks = 64, 4
        ops = 10_000 if SANITIZED else 100_000  # ASan: fewer ops, same threads and forks
        tracked = [self.write(f"t{i}.json", "x") for i in range(8)]
        untracked = [self.write(f"u{i}.dat", "x") for i in range(8)]
        kids = [self.write(f"c{i}.py", "") for i in range(threads * forks)]
        _, out = self.run_shim([self.prog("hostile_threads"), str(self.tmp), str(threads),
                                str(ops), str(forks)])
        parent = int(out.strip())
        per = collections.Counter((k, pid, pth) for k, pid, pth, _ in self.records)
        dups = [key for key, n in per.items() if n > 1]
        self.assertEqual(dups, [], "a (kind, path) reported twice by one process")
        for t in tracked:
            self.assertEqual(per[("read", parent, str(t))], 1, t)
            self.assertEqual(per[("stat", parent, str(t))], 1, t)
        seen = {pth for _, _, pth, _ in self.records}
        for u in untracked:
            self.assertNotIn(str(u), seen)
        for c in kids:
            pids = [pid for k, pid, pth, _ in self.records if pth == str(c) and k == "stat"]
            self.assertEqual(len(pids), 1, c)
            self.assertNotEqual(pids[0], parent)
        self.assertEqual(len({pid for _, pid, _, _ in self.records} - {parent}),
                         threads * forks)

    def test_vfork_spawn_clone_and_signal_handler(self):
        names = ["vfork.json", "vforkstat.json", "vforkafter.json", "spawn.json", "clone.json",
                 "clonevm.json", "sig.json", "t.py"]
        files = {n: self.write(n, "x\n") for n in names}
        _, out = self.run_shim([self.prog("spawn_kinds"), str(self.tmp)])
        parent = int(out.strip().splitlines()[-1])
        by = collections.defaultdict(list)
        for k, pid, pth, _ in self.records:
            by[(k, pth)].append(pid)
        for n, kind, own in (("vfork.json", "read", False), ("vforkstat.json", "stat", False),
                             ("vforkafter.json", "stat", True), ("spawn.json", "read", False),
                             ("clone.json", "read", False), ("clonevm.json", "stat", False),
                             ("sig.json", "read", True), ("t.py", "stat", True)):
            pids = by[(kind, str(files[n]))]
            self.assertEqual(len(pids), 1, (n, kind, pids))
            self.assertEqual(pids[0] == parent, own, (n, pids, parent))
        # the programs exec'd from a vfork child and by posix_spawn are seen
        self.assertTrue(by[("exec", "/bin/cat")] or by[("exec", "/usr/bin/cat")], by.keys())

    def test_closed_or_dup2ed_fds_and_scrubbed_env(self):
        """Each MODE of fd_env_hostile: after.json is still reported (tracking
        resumed, or the shim put itself back into the exec'd program's
        environment) and no record lands in the program's own file."""
        after = self.write("after.json", "x\n")
        exe = self.prog("fd_env_hostile")
        for mode in ("close_range", "closefrom", "dup2", "dup3", "sysdup2", "rawclose", "preload",
                     "emptyenv", "clearenv"):
            with self.subTest(mode=mode):
                self.records = []
                sink = self.tmp / "sink.bin"
                if sink.exists():
                    sink.unlink()
                self.run_shim([exe, str(self.tmp), mode])
                self.assertIn("read", self.kinds_of(after), mode)
                if mode in ("dup2", "dup3", "sysdup2"):
                    self.assertEqual(sink.stat().st_size, 0)


class TraceHostile(ShimCase):
    def test_trace_fd_replaced_through_syscall(self):
        """syscall(SYS_dup2) of the program's file onto the shim's trace
        descriptor: the shim notices (it interposes syscall()), reopens its
        trace file, and no trace line lands in the program's file."""
        exe = Path(PROGS) / "fd_env_hostile"
        if not exe.exists():
            self.skipTest(f"{exe} not built")
        after = self.tmp / "after.json"
        after.write_text("x\n")
        lines, _ = self.trace([str(exe), str(self.tmp), "tracedup2"])
        self.assertListed(lines, after)
        self.assertEqual((self.tmp / "sink.bin").stat().st_size, 0)


class FullTable(ShimCase):
    def test_100k_files_overflow_sends_duplicates_never_drops(self):
        exe = Path(PROGS) / "many_files"
        if not exe.exists():
            self.skipTest(f"{exe} not built")
        n = 100_000
        # creating 100,000 files takes 10 s of system time on a quiet VM disk
        lines, _ = self.trace([str(exe), str(self.tmp), str(n)], timeout=4 * TIMEOUT)
        want = [str(self.tmp / f"f{i}.json") for i in range(n)]
        have = collections.Counter(lines)
        lost = [p for p in want if not have[p]]
        self.assertEqual(lost[:5], [], "%d of %d paths lost" % (len(lost), n))
        # Every file was opened twice: with the table full, some second opens
        # are reported again (the overflow is real, and shows as duplicates).
        self.assertGreater(sum(have[p] for p in want), n)
        # The first files went in while the table was empty: exactly once.
        for p in want[:100]:
            self.assertEqual(have[p], 1, p)


def load_tests(loader, tests, pattern):
    """Only the tests written here, not those inherited from the base cases."""
    suite = unittest.TestSuite()
    for cls in (Hostile, TraceHostile, FullTable):
        for name in sorted(vars(cls)):
            if name.startswith("test_"):
                suite.addTest(cls(name))
    return suite


if __name__ == "__main__":
    unittest.main(verbosity=2)
