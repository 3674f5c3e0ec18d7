"""Security (docs/reliability.md, "Security"): only the user who started
autowrap can feed it (a private 0700 runtime directory, removed on every exit
path; another uid is refused); the shim does nothing in setuid, setgid and
file-capability processes; AUTOWRAP_TRACE never follows a symbolic link nor
blocks on a FIFO, and opens O_WRONLY|O_APPEND|O_CLOEXEC.

The second uid is a system user made with useradd (kept: CI containers are
thrown away, and a rerun finds it); the tests that need it, or setuid and file
capabilities, need root and skip with the reason otherwise."""

import grp
import pwd
import socket
import stat

from harness import *
from test_shim_trace import _preload as preload  # the shim, behind ASan's runtime when sanitized

ROOT = os.geteuid() == 0
OTHER = "aw-sectest"
NEED_ROOT = "needs root: a second uid (useradd, setpriv), setuid files"


def other_user():
    """(uid, gid) of the second user, created if missing; None if impossible."""
    if not ROOT or not shutil.which("setpriv"):
        return None
    try:
        pw = pwd.getpwnam(OTHER)
    except KeyError:
        if not shutil.which("useradd"):
            return None
        r = subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                            "/usr/sbin/nologin", OTHER], capture_output=True, timeout=30)
        if r.returncode not in (0, 9):  # 9: made meanwhile
            return None
        pw = pwd.getpwnam(OTHER)
    return pw.pw_uid, pw.pw_gid


def as_user(ug, argv, **kw):
    uid, gid = ug
    return subprocess.run(["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid, "--clear-groups",
                           "--"] + list(argv), capture_output=True, timeout=T, **kw)


SOCK_APP = ("print('SOCK', os.environ['AUTOWRAP_SOCK'], flush=True)\n"
            "import mod\n")


class TestRuntimeDirectory(AWTestCase):
    """The directory holding the socket: 0700, ours, and gone after every way
    autowrap can end."""

    def running(self, opts=(), app=APP_READY):
        self.write_app({"main.py": SOCK_APP + app, "mod.py": ""})
        aw = self.start(opts)
        aw.generation(1)
        sock = aw.expect_out(r"^SOCK (.*)$").group(1)
        d = os.path.dirname(sock)
        st = os.lstat(d)
        self.assertTrue(stat.S_ISDIR(st.st_mode), d)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o700, d)
        self.assertEqual(st.st_uid, os.geteuid())
        self.assertTrue(stat.S_ISSOCK(os.lstat(sock).st_mode), sock)
        return aw, d

    def gone(self, d, timeout=T_GONE):
        deadline = time.monotonic() + timeout
        while os.path.lexists(d) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertFalse(os.path.lexists(d), "runtime directory left behind: %s" % d)

    def test_sigint(self):
        aw, d = self.running()
        aw.ready()
        aw.send(signal.SIGINT)
        self.assertEqual(aw.wait(), 130)
        self.gone(d, 0)

    def test_sigterm_with_signal_mode_list(self):
        # --signal's file of changed paths lives there too
        aw, d = self.running(["-s", "HUP"], "import signal\n"
                             "signal.signal(signal.SIGHUP, lambda s, f: print('HUP', flush=True))\n"
                             + APP_READY)
        aw.ready()
        self.edit_py("app/mod.py")
        aw.expect_out("^HUP$")
        self.assertTrue(os.path.exists(os.path.join(d, "changed")))
        aw.send(signal.SIGTERM)
        self.assertEqual(aw.wait(), 143)
        self.gone(d, 0)

    def test_child_crash_then_sigterm(self):
        aw, d = self.running(app="os.abort()\n")  # SIGABRT: ASan leaves it alone
        aw.expect_err(EXIT_RX)
        self.assertTrue(os.path.isdir(d))  # still watching: still there
        aw.send(signal.SIGTERM)
        self.assertEqual(aw.wait(), 143)
        self.gone(d, 0)

    def test_sigkill_guardian_removes_it(self):
        aw, d = self.running()
        aw.ready()
        aw.proc.kill()
        aw.wait()
        self.gone(d)

    def test_list_normal_exit_and_crash(self):
        for app, want in (("", 0), ("os.abort()\n", 128 + signal.SIGABRT)):
            self.write_app({"main.py": SOCK_APP + app, "mod.py": ""})
            rc, out, err = self.run_aw(["--list", "-o", str(self.state / "list"), "--", PY,
                                        "app/main.py"])
            self.assertEqual(rc, want, err)
            sock = re.search(r"^SOCK (.*)$", out, re.M).group(1)
            self.gone(os.path.dirname(sock), 0)


@unittest.skipUnless(other_user(), NEED_ROOT)
class TestOtherUser(AWTestCase):

    def test_other_uid_cannot_connect_or_send(self):
        self.write_app({"main.py": SOCK_APP + APP_READY, "mod.py": ""})
        aw = self.start()
        aw.generation(1)
        sock = aw.expect_out(r"^SOCK (.*)$").group(1)
        aw.ready()
        probe = ("import socket, sys, errno\n"
                 "p = sys.argv[1]\n"
                 "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
                 "for what, f in (('connect', lambda: s.connect(p)),\n"
                 "                ('sendto', lambda: s.sendto(b'AWR3 forged', p))):\n"
                 "    try:\n"
                 "        f()\n"
                 "        print(what, 'ok')\n"
                 "    except OSError as e:\n"
                 "        print(what, errno.errorcode[e.errno])\n")
        r = as_user(other_user(), [PY, "-c", probe, sock])
        self.assertEqual(r.stdout.decode().split("\n")[:2], ["connect EACCES", "sendto EACCES"],
                         r.stderr)
        # the owner gets through (so the refusal above is the directory's doing)
        r = subprocess.run([PY, "-c", probe, sock], capture_output=True, timeout=T)
        self.assertEqual(r.stdout.decode().split("\n")[:2], ["connect ok", "sendto ok"], r.stderr)
        # and autowrap carries on
        self.sentinel(aw, "app/main.py", 2)


def suid_dir():
    """(a directory where a setuid file elevates and the second user can
    reach it, None) or (None, why not). /tmp first; a nosuid mount (common
    for /tmp and /dev/shm) is passed over."""
    tried = []
    for d in dict.fromkeys([tempfile.gettempdir(), "/tmp", "/var/tmp", os.path.dirname(PROGS)]):
        if not os.path.isdir(d):
            continue
        if os.statvfs(d).f_flag & os.ST_NOSUID:
            tried.append("%s: mounted nosuid" % d)
            continue
        p = os.path.realpath(d)
        blocked = [a for a in [p] + [str(x) for x in Path(p).parents]
                   if not os.stat(a).st_mode & stat.S_IXOTH]
        if blocked:
            tried.append("%s: %s not searchable by other users" % (d, blocked[0]))
            continue
        return d, None
    return None, "; ".join(tried) or "no candidate directory"


def no_new_privs():
    """This process (and so every process it starts) has no_new_privs set:
    setuid bits and file capabilities do not elevate."""
    with open("/proc/self/status") as f:
        return any(l.split() == ["NoNewPrivs:", "1"] for l in f)


@unittest.skipUnless(other_user(), NEED_ROOT)
class TestElevatedProcess(unittest.TestCase):
    """A copy of load_shim (dlopen()s the shim, so its constructor runs where
    the loader would ignore LD_PRELOAD) made setuid root, setgid root or given
    CAP_DAC_OVERRIDE, run by the second user with AUTOWRAP_TRACE and
    AUTOWRAP_SOCK naming places only root may write and AUTOWRAP_DEBUG_TIMING=1:
    nothing may appear, no timing stamp either. load_shim prints the kernel's
    AT_SECURE, which must be 1, or the copy did not run elevated and the test
    would prove nothing. The same program without elevation, run by root,
    writes the trace, sends records and stamps (the control, AT_SECURE 0)."""

    def setUp(self):
        if no_new_privs():
            self.skipTest("no_new_privs is set for this test's processes: setuid bits and "
                          "file capabilities cannot elevate here")
        base, why = suid_dir()
        if not base:
            self.skipTest("no directory where a setuid copy would elevate: " + why)
        d = tempfile.TemporaryDirectory(prefix="aw-sec-", dir=base)
        self.addCleanup(d.cleanup)
        self.tmp = Path(d.name)
        os.chmod(self.tmp, 0o755)
        self.priv = self.tmp / "priv"  # root:root 0770: euid 0, egid 0 or DAC override
        self.priv.mkdir()
        os.chmod(self.priv, 0o770)
        self.rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(self.rx.close)
        self.rx.bind(str(self.priv / "sock"))
        self.rx.setblocking(False)
        self.prog = os.path.join(PROGS, "load_shim")

    def copy(self, name, mode):
        p = self.tmp / name
        shutil.copy(self.prog, p)
        os.chown(p, 0, 0)
        os.chmod(p, mode)
        return p

    def env(self, tag):
        e = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOWRAP_", "LD_"))}
        e["AUTOWRAP_TRACE"] = str(self.priv / ("trace-" + tag))
        e["AUTOWRAP_SOCK"] = str(self.priv / "sock")
        e["AUTOWRAP_DEBUG_TIMING"] = "1"
        if SANITIZED:
            e["ASAN_OPTIONS"] = "detect_leaks=0:verify_asan_link_order=0"
        return e

    def received(self):
        n = 0
        while True:
            try:
                self.rx.recv(65536)
                n += 1
            except BlockingIOError:
                return n

    def assert_inert(self, tag, path):
        r = as_user(other_user(), [str(path), SHIM], env=self.env(tag))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"loaded secure=1\n",
                         "the copy did not run with elevated rights (AT_SECURE 0)")
        self.assertFalse((self.priv / ("trace-" + tag)).exists(), "the shim wrote a trace")
        self.assertEqual(self.received(), 0, "the shim sent records")
        self.assertNotIn(b"[autowrap-timing]", r.stderr, "the shim wrote timing stamps")

    def test_control_unprivileged_copy_writes(self):
        p = self.copy("plain", 0o755)
        r = subprocess.run([str(p), SHIM], env=self.env("plain"), capture_output=True, timeout=T)
        self.assertEqual((r.returncode, r.stdout), (0, b"loaded secure=0\n"), r.stderr)
        self.assertIn(str(p), (self.priv / "trace-plain").read_text().splitlines())
        self.assertGreater(self.received(), 0)
        stamps = re.findall(rb"^\[autowrap-timing\] \d+ (shim-init-\w+) \d+$", r.stderr, re.M)
        self.assertEqual(stamps, [b"shim-init-begin", b"shim-init-end"], r.stderr)

    def test_setuid_root(self):
        self.assert_inert("suid", self.copy("suid", 0o4755))

    def test_setgid_root(self):
        self.assert_inert("sgid", self.copy("sgid", 0o2755))

    def test_file_capability(self):
        if not shutil.which("setcap"):
            self.skipTest("setcap not installed (Debian: libcap2-bin)")
        p = self.copy("fcap", 0o755)
        r = subprocess.run(["setcap", "cap_dac_override+ep", str(p)], capture_output=True,
                           timeout=T)
        if r.returncode != 0:
            self.skipTest("setcap failed here: %s" % r.stderr.decode(errors="replace").strip())
        self.assert_inert("fcap", p)


class TestTraceFile(unittest.TestCase):
    """AUTOWRAP_TRACE: O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC|O_NOFOLLOW, 0644
    less the umask; never a symlink, never a wait for a FIFO's reader."""

    def setUp(self):
        d = tempfile.TemporaryDirectory(prefix="aw-trace-")
        self.addCleanup(d.cleanup)
        self.tmp = Path(d.name)

    def run_traced(self, trace, argv, **kw):
        e = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOWRAP_", "LD_"))}
        e["LD_PRELOAD"] = preload()
        e["AUTOWRAP_TRACE"] = str(trace)
        if SANITIZED:
            e["ASAN_OPTIONS"] = "detect_leaks=0:verify_asan_link_order=0"
        return subprocess.run(argv, env=e, cwd=str(self.tmp), capture_output=True, timeout=T, **kw)

    def refused(self, trace, why):
        r = self.run_traced(trace, ["/bin/cat", "/etc/hostname"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.decode().splitlines(),
                         ["autowrap: AUTOWRAP_TRACE=%s: %s; no trace written" % (trace, why)])

    def test_symlink_to_a_file_refused_and_said(self):
        target = self.tmp / "victim"
        target.write_text("keep\n")
        link = self.tmp / "trace"
        link.symlink_to(target)
        self.refused(link, "is a symbolic link, not followed")
        self.assertEqual(target.read_text(), "keep\n")

    def test_dangling_symlink_creates_nothing(self):
        link = self.tmp / "trace"
        link.symlink_to(self.tmp / "created-by-link")
        self.refused(link, "is a symbolic link, not followed")
        self.assertFalse((self.tmp / "created-by-link").exists())

    def test_fifo_without_reader_does_not_hang(self):
        fifo = self.tmp / "trace"
        os.mkfifo(fifo)
        self.refused(fifo, "is a FIFO nobody reads")

    def test_appends_with_cloexec(self):
        trace = self.tmp / "trace"
        trace.write_text("earlier line\n")
        p = subprocess.Popen(["/bin/sh", "-c", "read x"], stdin=subprocess.PIPE,
                             env=dict(os.environ, LD_PRELOAD=preload(), AUTOWRAP_TRACE=str(trace),
                                      ASAN_OPTIONS="detect_leaks=0:verify_asan_link_order=0"),
                             stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + T
            flags = None
            while flags is None and time.monotonic() < deadline:
                for fd in os.listdir("/proc/%d/fd" % p.pid):
                    try:
                        if os.readlink("/proc/%d/fd/%s" % (p.pid, fd)) == str(trace):
                            with open("/proc/%d/fdinfo/%s" % (p.pid, fd)) as f:
                                flags = int(re.search(r"^flags:\s*(\d+)", f.read(), re.M)
                                            .group(1), 8)
                    except OSError:
                        pass
                time.sleep(0.02)
        finally:
            p.communicate(b"\n", timeout=T)
        self.assertIsNotNone(flags, "the traced shell never opened the trace file")
        self.assertEqual(flags & os.O_ACCMODE, os.O_WRONLY)
        self.assertTrue(flags & os.O_APPEND)
        self.assertTrue(flags & os.O_CLOEXEC)
        self.assertFalse(flags & os.O_NONBLOCK)  # only for the open
        lines = trace.read_text().splitlines()
        self.assertEqual(lines[0], "earlier line")
        sh = os.path.realpath("/bin/sh")
        self.assertTrue(any(os.path.realpath(l) == sh for l in lines[1:]), lines)


if __name__ == "__main__":
    main()
