"""The record ring (preload/ring.h) through the real supervisor: records put
in shared memory by many processes at once, more of them than it holds (the
rest go as datagrams), by vfork and clone children that share the parent's
memory, and by a program that attacks its descriptors. Every path is still
listed, with the pid of the process that used it."""

import collections
import json
import re
import shutil
import subprocess
import unittest

from harness import *
from test_shim_trace import progpath


class TestRing(AWTestCase):

    def prog(self, name):
        return progpath(self, name)

    def jlist(self, argv):
        """--list --format json of ARGV: (records, the program's stdout, rc)."""
        lst = self.tmp / "list.json"
        rc, out, err = self.run_aw(["--list", "--format", "json", "-o", str(lst), "--"] + argv,
                                   timeout=120)
        recs = [json.loads(line) for line in lst.read_text().splitlines()]
        return recs, out, rc, err

    def test_ring_file_is_made_and_removed(self):
        # the shim finds it next to the socket; nothing is left after exit
        probe = self.write("app/probe.py", (
            "import os\n"
            "d = os.path.dirname(os.environ['AUTOWRAP_SOCK'])\n"
            "print(sorted(os.listdir(d)))\n"))
        rc, out, err = self.run_aw(["--list", "-o", str(self.tmp / "l.txt"), "--", PY,
                                    str(probe)])
        self.assertEqual(rc, 0, err)
        self.assertIn("'ring'", out)
        self.assertIn("'sock'", out)
        self.assertIn(str(probe), (self.tmp / "l.txt").read_text().splitlines())

    @unittest.skipUnless(shutil.which("strace"), "strace is not installed (tests/setup.sh installs it)")
    def test_records_take_no_system_call(self):
        # 300 files read: past the first few records (sent before the ring
        # is mapped) they go through shared memory, not a datagram each
        n = 300
        for i in range(n):
            self.write(f"r/f{i}.json", "{}\n")
        prog = self.write("r/main.py", (
            "import os\n"
            "d = os.path.dirname(os.path.abspath(__file__))\n"
            "for i in range(%d):\n"
            "    open(os.path.join(d, 'f%%d.json' %% i)).close()\n" % n))
        log = self.tmp / "strace.txt"
        lst = self.tmp / "list.txt"
        p = subprocess.run(["strace", "-f", "-e", "trace=sendto", "-o", str(log), BIN, "--list",
                            "-o", str(lst), "--", PY, str(prog)],
                           # LeakSanitizer cannot run under a tracer (the sanitizer build)
                           env=self.env({"ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") +
                                                          ":detect_leaks=0").lstrip(":")}),
                           cwd=str(self.tmp),
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        listed = set(lst.read_text().splitlines())
        self.assertEqual([i for i in range(n) if str(self.tmp / "r" / f"f{i}.json") not in listed],
                         [])
        # records sent as datagrams; a 1-byte send is the ring's wake-up for a
        # supervisor asleep in poll (a slow writer, as under strace, wakes it
        # for most records: that costs it the send the ring spares a fast one)
        sends = [l for l in log.read_text().splitlines()
                 if "sendto(" in l and not re.search(r'sendto\(\d+, "\\0", 1,', l)]
        self.assertLess(len(sends), 40, "%d records sent for %d read:\n%s" % (len(sends), n,
                                                                              "\n".join(sends[:50])))

    @unittest.skipUnless(shutil.which("strace") and shutil.which("perl"),
                         "strace or perl is not installed (tests/setup.sh installs them)")
    def test_stat_then_open_costs_no_getpid_or_fstat(self):
        # Perl's and Ruby's way: stat a module, then open it. The records
        # name the process without a getpid() each (a cached pid), and the
        # open's record takes the stat's identity instead of an fstat().
        n = 300
        for i in range(n):
            self.write(f"p/M{i}.pm", "1;\n")
        prog = self.write("p/main.pl", (
            "my $d = shift;\n"
            "for my $i (0 .. %d) {\n"
            "    my $f = \"$d/M$i.pm\";\n"
            "    my @st = stat($f) or die \"stat $f\";\n"
            "    open(my $fh, '<', $f) or die \"open $f\";\n"
            "    close($fh);\n"
            "}\n" % (n - 1)))
        lst = self.tmp / "list.txt"

        def calls(under_aw):
            log = self.tmp / "strace.txt"
            cmd = ["strace", "-f", "-o", str(log), "-e", "trace=getpid,fstat,newfstatat", "perl",
                   str(prog), str(self.tmp / "p")]
            if under_aw:
                rc, out, err = self.run_aw(["--list", "-o", str(lst), "--"] + cmd, timeout=120)
            else:
                p = subprocess.run(cmd, env=self.env(), capture_output=True, text=True,
                                   timeout=120)
                rc, err = p.returncode, p.stderr
            self.assertEqual(rc, 0, err)
            return [l for l in log.read_text().splitlines()
                    if re.search(r'\bgetpid\(|\bfstat\(|newfstatat\(\d+, "",', l)]

        bare, under = calls(False), calls(True)
        listed = set(lst.read_text().splitlines())
        self.assertEqual([i for i in range(n) if str(self.tmp / "p" / f"M{i}.pm") not in listed],
                         [])
        self.assertLess(len(under) - len(bare), 40, "%d getpid/fstat calls for %d files, %d bare:"
                        "\n%s" % (len(under), n, len(bare), "\n".join(under[:60])))

    def test_more_records_than_it_holds(self):
        n = 8192  # two laps of the ring's 4096 slots (what overflows goes by datagram)
        d = self.tmp / "many"
        d.mkdir()
        recs, _, rc, err = self.jlist([self.prog("many_files"), str(d), str(n)])
        self.assertEqual(rc, 0, err)
        reads = collections.Counter(r["path"] for r in recs if r["kind"] == "read")
        lost = [i for i in range(n) if reads[str(d / f"f{i}.json")] != 1]
        self.assertEqual(lost[:5], [], "%d of %d paths not listed once" % (len(lost), n))

    def test_threads_and_forks_each_child_its_pid(self):
        threads, forks = 16, 4
        for i in range(8):
            self.write(f"w/t{i}.json", "x")
            self.write(f"w/u{i}.dat", "x")
        for i in range(threads * forks):
            self.write(f"w/c{i}.py", "")
        recs, out, rc, err = self.jlist([self.prog("hostile_threads"), str(self.tmp / "w"),
                                         str(threads), "2000", str(forks)])
        self.assertEqual(rc, 0, err)
        parent = int(out.strip())
        pids = {}
        for r in recs:
            if r["kind"] == "stat" and r["path"].startswith(str(self.tmp / "w" / "c")):
                pids[r["path"]] = r["pid"]
        self.assertEqual(len(pids), threads * forks, sorted(pids))
        self.assertNotIn(parent, pids.values())
        self.assertEqual(len(set(pids.values())), threads * forks)

    def test_children_sharing_memory_write_their_own_pid(self):
        names = ["vfork.json", "vforkstat.json", "vforkafter.json", "spawn.json", "clone.json", "clonevm.json", "sig.json", "t.py"]
        for n in names:
            self.write(f"k/{n}", "x\n")
        recs, out, rc, err = self.jlist([self.prog("spawn_kinds"), str(self.tmp / "k")])
        self.assertEqual(rc, 0, err)
        parent = int(out.strip().splitlines()[-1])
        by = {(r["kind"], r["path"]): r["pid"] for r in recs}
        # (the shim keeps its pid in memory a vfork child shares: vfork.S
        # marks the child, and the parent is itself again once it resumes)
        for n, kind, own in (("vfork.json", "read", False), ("vforkstat.json", "stat", False),
                             ("vforkafter.json", "stat", True), ("spawn.json", "read", False),
                             ("clone.json", "read", False), ("clonevm.json", "stat", False),
                             ("sig.json", "read", True), ("t.py", "stat", True)):
            pid = by.get((kind, str(self.tmp / "k" / n)))
            self.assertIsNotNone(pid, (n, kind))
            self.assertEqual(pid == parent, own, (n, pid, parent))

    def test_descriptor_attacks(self):
        # closing or dup2-ing over every descriptor does not stop the records,
        # and none lands in the program's file
        self.write("h/after.json", "x\n")
        exe = self.prog("fd_env_hostile")
        for mode in ("close_range", "closefrom", "dup2"):
            with self.subTest(mode=mode):
                sink = self.tmp / "h" / "sink.bin"
                if sink.exists():
                    sink.unlink()
                recs, _, rc, err = self.jlist([exe, str(self.tmp / "h"), mode])
                # dup2: 3 means the shim held no socket to attack (the ring
                # needs none until it must wake the supervisor)
                self.assertIn(rc, (0, 3) if mode == "dup2" else (0,), err)
                if rc == 0:
                    self.assertIn(("read", str(self.tmp / "h" / "after.json")),
                                  {(r["kind"], r["path"]) for r in recs})
                if sink.exists():
                    self.assertEqual(sink.stat().st_size, 0)


if __name__ == "__main__":
    main()
