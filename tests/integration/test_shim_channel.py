"""libtrack.so's datagram channel, without the supervisor: a test socket plays it.

Decodes records per preload/wire.h and checks kinds, identity, pids, reconnection
after close_range/dup2, and that a missing supervisor costs the program nothing.
"""

import os
import select
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from test_shim_trace import PY, PROGS, SANITIZED, TIMEOUT, _preload

KINDS = {1: "read", 2: "stat", 3: "missing", 4: "exec", 5: "lib", 6: "write", 7: "listed"}


EXECING = 1  # wire.h AW_FLAG_EXECING


class Rec(tuple):
    """(kind, pid, path, ident), with the header's flags as .flags"""
    flags = 0


def decode(d):
    assert len(d) > 64 and d[0] == 0xA7 and d[1] == 3 and d[3] & ~EXECING == 0, d[:8]
    pid = struct.unpack_from("<I", d, 4)[0]
    ident = struct.unpack_from("<QQqqqIIII", d, 8)
    r = Rec((KINDS[d[2]], pid, os.fsdecode(d[64:]), ident))
    r.flags = d[3]
    return r


def open_test_channel(tc, prefix):
    """tc.tmp, a private runtime directory and a datagram socket bound in it
    (tc.sockpath, tc.sock) that plays the supervisor; tc.records empty."""
    tc.tmp = Path(tempfile.mkdtemp(prefix=prefix)).resolve()
    tc.addCleanup(shutil.rmtree, tc.tmp, True)
    tc.rundir = Path(tempfile.mkdtemp(prefix="aw-run-")).resolve()
    os.chmod(tc.rundir, 0o700)
    tc.addCleanup(shutil.rmtree, tc.rundir, True)
    tc.sockpath = str(tc.rundir / "sock")
    tc.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    tc.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    tc.sock.bind(tc.sockpath)
    tc.addCleanup(tc.sock.close)
    tc.records = []


class ChannelCase(unittest.TestCase):
    def setUp(self):
        open_test_channel(self, "aw-chan-")

    def drain(self):
        while self.sock.fileno() >= 0:
            r, _, _ = select.select([self.sock], [], [], 0.2)
            if not r:
                return
            self.records.append(decode(self.sock.recv(70000)))

    def run_shim(self, argv, extra=None):
        e = dict(os.environ)
        for k in ("PYTHONDONTWRITEBYTECODE", "AUTOWRAP_TRACE", "AUTOWRAP_EXT", "AUTOWRAP_ALL"):
            e.pop(k, None)
        e.update(extra or {})
        e["LD_PRELOAD"] = _preload()
        e["AUTOWRAP_SOCK"] = self.sockpath
        if SANITIZED:
            e["ASAN_OPTIONS"] = "detect_leaks=0:verify_asan_link_order=0"
        p = subprocess.Popen(argv, env=e, cwd=str(self.tmp), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        self.addCleanup(p.stdout.close)
        self.addCleanup(p.stderr.close)
        deadline = time.monotonic() + TIMEOUT
        while p.poll() is None and time.monotonic() < deadline:
            self.drain()
        if p.poll() is None:
            p.kill()
        out, err = p.communicate(timeout=TIMEOUT)
        self.drain()
        self.assertEqual(p.returncode, 0, err)
        return p, out

    def kinds_of(self, path):
        return {k for k, _, pth, _ in self.records if pth == str(path)}

    def write(self, rel, text):
        p = self.tmp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return p

    def test_kinds_and_identity(self):
        mod = self.write("m1.py", "A = 1\n")
        self.write("data/x.txt", "x")
        app = self.write("app.py", "import os, m1\n"
                         "os.path.exists('absent.py')\n"
                         "os.listdir('data')\n"
                         "open('out.json', 'w').write('{}')\n"
                         "os.rename('out.json', 'final.json')\n")
        p, _ = self.run_shim([PY, str(app)])
        self.assertIn("read", self.kinds_of(mod))
        self.assertIn("missing", self.kinds_of(self.tmp / "absent.py"))
        self.assertIn("listed", self.kinds_of(self.tmp / "data"))
        self.assertIn("write", self.kinds_of(self.tmp / "out.json"))
        self.assertIn("write", self.kinds_of(self.tmp / "final.json"))
        self.assertNotIn("read", self.kinds_of(self.tmp / "out.json"))
        self.assertTrue(any(k == "exec" for k, *_ in self.records))
        self.assertTrue(any(k == "lib" and "libc.so" in pth for k, _, pth, _ in self.records))
        st = os.stat(mod)
        ident = [i for k, _, pth, i in self.records if pth == str(mod) and k == "read"][0]
        self.assertEqual(ident, (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns,
                                 st.st_mode, st.st_nlink, st.st_uid, st.st_gid))
        for _, _, pth, _ in self.records:
            self.assertFalse(pth.startswith(("/proc/", "/sys/", "/dev/")), pth)
            self.assertFalse(pth.startswith(str(self.rundir)), pth)
        # once per (kind, path) per process
        keys = [(k, pid, pth) for k, pid, pth, _ in self.records]
        self.assertEqual(len(keys), len(set(keys)))

    def test_stat_identity_from_the_programs_own_result(self):
        """The shim takes a stat record's identity from what the program's
        stat/lstat/statx/fstatat returned: it must equal os.stat() (for a
        symlink given to lstat: the target's)."""
        exe = Path(PROGS) / "stat_kinds"
        if not exe.exists():
            self.skipTest(f"{exe} not built")
        for n in ("a", "b", "c", "d", "e", "f"):
            self.write(n + ".py", n * (ord(n) - 96))
        os.symlink("c.py", self.tmp / "link.py")
        self.run_shim([str(exe), str(self.tmp)])
        for n, target in (("a", "a"), ("b", "b"), ("link", "c"), ("d", "d"), ("e", "e"),
                          ("f", "f")):
            st = os.stat(self.tmp / (target + ".py"))
            got = [i for k, _, pth, i in self.records
                   if pth == str(self.tmp / (n + ".py")) and k == "stat"]
            self.assertEqual(len(got), 1, (n, got))
            self.assertEqual(got[0], (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size,
                                      st.st_ctime_ns, st.st_mode, st.st_nlink, st.st_uid,
                                      st.st_gid), n)

    def test_reconnect_after_closerange_and_dup2(self):
        self.write("early.py", "")
        late = self.write("late.py", "")
        sink = self.tmp / "sink.bin"
        app = self.write("app.py", "import os, early\n"
                         "os.closerange(3, 4096)\n"
                         "import late0\n"
                         "fd = os.open(%r, os.O_WRONLY | os.O_CREAT)\n"
                         "for i in range(3, 1024):\n"
                         "    if i != fd:\n"
                         "        os.dup2(fd, i)\n"
                         "import late\n" % str(sink))
        late0 = self.write("late0.py", "")
        self.run_shim([PY, str(app)])
        self.assertIn("read", self.kinds_of(late0))
        self.assertIn("read", self.kinds_of(late))
        self.assertEqual(sink.stat().st_size, 0)

    def test_child_pids(self):
        self.write("kid.py", "")
        app = self.write("app.py", "import subprocess, os\n"
                         "p = subprocess.run([%r, '-c', 'import kid'], env={}, close_fds=True,\n"
                         "                   cwd=%r)\n"
                         "print(os.getpid())\n" % (PY, str(self.tmp)))
        _, out = self.run_shim([PY, str(app)])
        parent = int(out.strip())
        kid = [pid for k, pid, pth, _ in self.records if pth == str(self.tmp / "kid.py")]
        self.assertTrue(kid)
        self.assertNotEqual(kid[0], parent)
        # The exec target is reported as the program named it, before the exec.
        self.assertIn(PY, [pth for k, pid, pth, _ in self.records if k == "exec"])
        self.assertIn(os.path.realpath(PY),
                      [pth for k, pid, pth, _ in self.records if k == "exec" and pid == parent])

    def test_no_fd_leak_across_vfork_children(self):
        for i in range(20):
            self.write(f"k{i}.py", "")
        app = self.write("app.py", "import os, subprocess\n"
                         "def n(): return len(os.listdir('/proc/self/fd'))\n"
                         "subprocess.run([%r, '-c', 'import k0'], close_fds=True)\n"
                         "before = n()\n"
                         "for i in range(1, 20):\n"
                         "    subprocess.run([%r, '-c', 'import k%%d' %% i], close_fds=True)\n"
                         "    __import__('k%%d' %% i)\n"
                         "print(n() - before)\n" % (PY, PY))
        _, out = self.run_shim([PY, str(app)])
        self.assertLessEqual(int(out.strip()), 1)
        for i in range(20):
            self.assertIn("read", self.kinds_of(self.tmp / f"k{i}.py"))

    def test_exec_family_flags_the_process_that_becomes_the_target(self):
        # The exec family says "this pid becomes PATH" (the supervisor names a
        # pid that goes silent after it); a failed exec says so with the same
        # record unflagged; posix_spawn starts another process: no flag.
        app = self.write("app.py", "import os\n"
                         "open('noexec', 'w').write('#!/bin/sh\\n')\n"
                         "os.chmod('noexec', 0o644)\n"
                         "try:\n"
                         "    os.execv('./noexec', ['noexec'])\n"
                         "except PermissionError:\n"
                         "    pass\n"
                         "os.waitpid(os.posix_spawn('/bin/true', ['true'], os.environ), 0)\n"
                         "print(os.getpid(), flush=True)\n"
                         "os.execv('/bin/true', ['true'])\n")
        _, out = self.run_shim([PY, str(app)])
        me = int(out.strip())
        mine = [(r[0], r[2], r.flags) for r in self.records if r[1] == me]
        noexec = str(self.tmp / "noexec")
        self.assertEqual([x for x in mine if x[1] == noexec and x[0] == "exec"],
                         [("exec", noexec, EXECING), ("exec", noexec, 0)])
        true = [x for x in mine if x[1] == "/bin/true"]
        self.assertEqual(true, [("exec", "/bin/true", 0), ("exec", "/bin/true", EXECING)], mine)
        # after the successful exec the new image reports itself, same pid
        after = mine[mine.index(("exec", "/bin/true", EXECING)) + 1:]
        self.assertIn(("exec", os.path.realpath("/bin/true"), 0), after)
        self.assertTrue(any(k == "lib" for k, _, _ in after), after)
        flagged = [r for r in self.records if r.flags]
        self.assertTrue(all(r[0] == "exec" for r in flagged), flagged)

    def test_supervisor_gone(self):
        self.sock.close()
        os.unlink(self.sockpath)
        self.write("m.py", "")
        p, out = self.run_shim([PY, "-c", "import m; print('fine')"])
        self.assertEqual(out.strip(), "fine")


if __name__ == "__main__":
    unittest.main(verbosity=2)
