"""Faults (docs/reliability.md, "Faults"): no runtime directory, disk full,
read-only $TMPDIR; hostile file names in every --format and under watch; a
tracked file replaced by a directory or a FIFO (never opened: checked with
strace), made unreadable, or on a file system unmounted under it; the
descriptor table full, at start and while autowrap runs.

Tests that mount need root and mount(2) (a tmpfs); the ones that hide /tmp do
it in a private mount namespace (unshare -m), so the machine's /tmp is never
touched. Each skips with the reason when that is not permitted."""

import ctypes
import errno
import platform
import resource
import shutil
import tempfile

from harness import *
from test_soak import _idle as idle_in_poll
from test_tree import DAEMON_APP

ROOT = os.geteuid() == 0
_CAN = {}


def can(what):
    """'mount': a tmpfs can be mounted here; 'unshare': also in a private
    mount namespace. Probed once."""
    if what not in _CAN:
        ok = False
        if ROOT and shutil.which("mount") and shutil.which("umount"):
            d = tempfile.mkdtemp(prefix="aw-mnt-")
            try:
                if what == "mount":
                    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", d],
                                        stderr=subprocess.DEVNULL).returncode == 0
                    if ok:
                        subprocess.run(["umount", d])
                else:
                    ok = bool(shutil.which("unshare")) and subprocess.run(
                        ["unshare", "-m", "--propagation", "private", "sh", "-c",
                         "mount -t tmpfs -o size=64k tmpfs %s" % d],
                        stderr=subprocess.DEVNULL, timeout=10).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
            finally:
                os.rmdir(d)
        _CAN[what] = ok
    return _CAN[what]


STRACE = shutil.which("strace")


def can_strace():
    """strace runs here and may trace (ptrace allowed), with --seccomp-bpf."""
    if "strace" not in _CAN:
        try:
            _CAN["strace"] = bool(STRACE) and subprocess.run(
                [STRACE, "-f", "--seccomp-bpf", "-e", "trace=openat", "-o", os.devnull,
                 "/bin/true"], capture_output=True, timeout=T).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _CAN["strace"] = False
    return _CAN["strace"]


NEED_MOUNT = "needs root and permission to mount a tmpfs"
NEED_UNSHARE = "needs root and a private mount namespace (unshare -m) to hide /tmp"

# Said once when an open fails for want of a descriptor after start (%d: the limit)
FD_SHORT_RX = (r"^\[autowrap\] out of file descriptors \(raise ulimit -n, now %d\): carrying on; "
               r"directories that cannot be listed are polled every 500 ms$")

# An app that prints where its channel is, then idles.
SOCK_APP = ("print('SOCK', os.environ.get('AUTOWRAP_SOCK', ''), flush=True)\n"
            "import mod\n" + APP_READY)


class FaultCase(AWTestCase):

    def mount_tmpfs(self, rel, opts):
        d = self.tmp / rel
        d.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(d)], check=True)
        self.addCleanup(subprocess.run, ["umount", "-l", str(d)], stderr=subprocess.DEVNULL)
        return d

    def run_hidden_tmp(self, tmp_opts, args, timeout=T):
        """autowrap ARGS in a mount namespace whose /tmp and /dev/shm are
        fresh tmpfs mounts with tmp_opts ($TMPDIR and $XDG_RUNTIME_DIR point
        to /tmp). After autowrap exits, the namespace's /tmp and /dev/shm are
        listed on stdout after a line '--tmp--'. Returns (rc, stdout, stderr)."""
        # autowrap and its shim may live under /tmp themselves (a clone in
        # /tmp, as CI may make): run copies from /var/tmp, which stays visible
        stage = Path(tempfile.mkdtemp(prefix="aw-faults-", dir="/var/tmp"))
        self.addCleanup(shutil.rmtree, str(stage), True)
        bin_copy, shim_copy = stage / "autowrap", stage / "libtrack.so"
        shutil.copy2(BIN, bin_copy)
        shutil.copy2(SHIM, shim_copy)
        env = self.env({"TMPDIR": "/tmp", "XDG_RUNTIME_DIR": "/tmp",
                        "AUTOWRAP_LIB": str(shim_copy)})
        script = ('mount -t tmpfs -o "$1" tmpfs /tmp || exit 99; '
                  'mount -t tmpfs -o "$1" tmpfs /dev/shm || exit 99; shift; cd /; '
                  '"$@"; rc=$?; echo --tmp--; ls -A /tmp /dev/shm | grep -v "^/\\|^$"; exit $rc')
        p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script,
                            "sh", tmp_opts, str(bin_copy)] + list(args), env=env, cwd=str(self.tmp),
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        return (p.returncode, p.stdout.decode(errors="replace"),
                p.stderr.decode(errors="replace"))

    def one_error_line(self, err):
        lines = [l for l in err.splitlines() if l.startswith("[autowrap]")]
        self.assertEqual(len(lines), 1, err)
        return lines[0]


class TestRuntimeDirectory(FaultCase):

    @unittest.skipUnless(can("unshare"), NEED_UNSHARE)
    def test_nowhere_writable_one_line_exit_1_no_child(self):
        # read-only /tmp, $TMPDIR and $XDG_RUNTIME_DIR: COMMAND (a sleep that
        # would outlive the test and be caught by its cleanup) never starts
        rc, out, err = self.run_hidden_tmp("ro,size=16k", ["--", "/bin/sleep", "300"])
        self.assertEqual(rc, 1, err)
        line = self.one_error_line(err)
        self.assertRegex(line, r"^\[autowrap\] cannot create a runtime directory \(\$XDG_RUNTIME_DIR "
                               r"/tmp: Read-only file system; \$TMPDIR /tmp: Read-only file system; "
                               r"/dev/shm: Read-only file system\); "
                               r"set TMPDIR to a writable directory$")
        self.assertEqual(out.split("--tmp--\n")[1].split(), [])

    @unittest.skipUnless(can("unshare"), NEED_UNSHARE)
    def test_no_inodes_left(self):
        # a full file system: not even a directory can be made
        rc, out, err = self.run_hidden_tmp("size=16k,nr_inodes=1", ["--", "/bin/sleep", "300"])
        self.assertEqual(rc, 1, err)
        self.assertIn("No space left on device", self.one_error_line(err))

    @unittest.skipUnless(can("unshare"), NEED_UNSHARE)
    def test_socket_cannot_be_made_directory_removed(self):
        # room for the directory, none for the socket in it
        rc, out, err = self.run_hidden_tmp("size=16k,nr_inodes=2", ["--", "/bin/sleep", "300"])
        self.assertEqual(rc, 1, err)
        self.assertRegex(self.one_error_line(err),
                         r"^\[autowrap\] cannot create the socket /tmp/autowrap\.\w+/sock: "
                         r"No space left on device$")
        self.assertEqual(out.split("--tmp--\n")[1].split(), [], "runtime directory left behind")

    def readonly_dir(self):
        if ROOT:
            if not can("mount"):
                self.skipTest(NEED_MOUNT)
            return self.mount_tmpfs("ro", "ro,size=16k")
        d = self.tmp / "ro"
        d.mkdir()
        d.chmod(0o555)
        self.addCleanup(d.chmod, 0o755)
        return d

    def test_readonly_tmpdir_falls_back_to_dev_shm_and_says_so(self):
        ro = self.readonly_dir()
        self.write_app({"main.py": SOCK_APP, "mod.py": ""})
        env = self.env({"TMPDIR": str(ro)})
        env.pop("XDG_RUNTIME_DIR", None)
        aw = self.start(env=env)
        m = aw.expect_err(r"^\[autowrap\] runtime directory ((?:/dev/shm|/tmp)/autowrap\.\w+) \(\$TMPDIR "
                          + re.escape(str(ro)) + r": (Read-only file system|Permission denied)\)$")
        aw.generation(1)
        sock = aw.expect_out(r"^SOCK (.*)$").group(1)
        self.assertEqual(sock, m.group(1) + "/sock")
        aw.ready()
        self.edit_py("app/mod.py")
        aw.expect_change("mod.py")
        aw.started(2)
        self.assertEqual(self.starts(), 2)

    @unittest.skipUnless(can("mount"), NEED_MOUNT)
    def test_full_disk_still_runs_signal_list_not_stale(self):
        # no free block (inodes left): the directory and the socket need none;
        # --signal's list of changed paths cannot be written: said, and no
        # stale list is left for the reloader to read
        full = self.mount_tmpfs("full", "size=64k")
        try:
            with open(full / "filler", "wb") as f:
                while True:
                    f.write(b"x" * 4096)
                    f.flush()
        except OSError as e:
            self.assertEqual(e.errno, errno.ENOSPC)
        self.write_app({"main.py": "import signal\n"
                                   "def hup(s, f):\n"
                                   "    p = os.environ['AUTOWRAP_CHANGED']\n"
                                   "    print('HUP', os.path.exists(p), flush=True)\n"
                                   "signal.signal(signal.SIGHUP, hup)\n" + SOCK_APP,
                        "mod.py": ""})
        env = self.env({"TMPDIR": str(full)})
        env.pop("XDG_RUNTIME_DIR", None)
        aw = self.start(["-s", "HUP"], env=env)
        aw.generation(1)
        self.assertTrue(aw.expect_out(r"^SOCK (.*)$").group(1).startswith(str(full) + "/"))
        aw.ready()
        self.edit_py("app/mod.py")
        aw.expect_change("mod.py", action="sending SIGHUP")
        aw.expect_err(r"^\[autowrap\] cannot write .*/changed(\.tmp)?: No space left on device$")
        aw.expect_out(r"^HUP False$")
        self.assertEqual(self.starts(), 1)


# Names a program may well load, and that break naive output: control
# characters, bytes that are not UTF-8, leading dashes, make's specials.
ODD_NAMES = [b"new\nline.py", b"tab\there.py", b"bad\xff\xfe.py", b"-rf.py", b"--help.py",
             b"sp ace#$:%.py", b"back\\slash.py"]


class TestOddNames(FaultCase):

    def setUp(self):
        super().setUp()
        base = os.fsencode(self.app / "names")
        os.mkdir(base)
        self.paths = [base + b"/" + n for n in ODD_NAMES]
        # a 4000-byte absolute path: nested 200-byte directory names
        deep = base
        while 4000 - (len(deep) + 201) - 1 >= 100:
            deep += b"/" + b"d" * 200
        if 4000 - len(deep) - 1 > 150:  # a last, shorter directory: a 100-byte name
            deep += b"/" + b"c" * (4000 - len(deep) - 1 - 1 - 100)
        name = b"deep" + b"e" * (4000 - len(deep) - 1 - 4 - 3) + b".py"
        os.makedirs(deep)
        self.long = deep + b"/" + name
        self.assertEqual(len(self.long), 4000)
        self.paths.append(self.long)
        for p in self.paths:
            with open(p, "wb") as f:
                f.write(b"V = 1\n")
        lst = self.state / "paths"
        lst.write_bytes(b"\0".join(self.paths))
        self.write_app({"main.py":
                        "for p in open(%r, 'rb').read().split(b'\\0'):\n"
                        "    open(p, 'rb').read()\n" % str(lst) + APP_READY})

    def list_run(self, fmt, extra=()):
        rc, out, err = self.run_aw(["--list", "--format", fmt] + list(extra) + ["--",
                                   "/usr/bin/python3", "-c",
                                   "for p in open(%r, 'rb').read().split(b'\\0'):\n"
                                   "    open(p, 'rb').read()\n" % str(self.state / "paths")])
        self.assertEqual(rc, 0, err)
        return out, err

    def test_text_escapes_every_name(self):
        out, _ = self.list_run("text")
        got = set()
        for line in os.fsencode(out).split(b"\n"):
            got.add(re.sub(rb"\\(x[0-9a-f]{2}|.)", lambda m: {
                b"n": b"\n", b"t": b"\t", b"\\": b"\\"}.get(m.group(1)) or
                bytes([int(m.group(1)[1:], 16)]), line))
        for p in self.paths:
            self.assertIn(p, got)
        self.assertIn(b"names/new\\nline.py", os.fsencode(out))
        self.assertIn(b"names/tab\\there.py", os.fsencode(out))

    def test_json_round_trips_every_name(self):
        out, _ = self.list_run("json")
        got = set()
        for line in out.splitlines():
            rec = json.loads(line)
            got.add(os.fsencode(rec["path"]))
        for p in self.paths:
            self.assertIn(p, got)

    def test_make_depfile_read_back_by_make(self):
        if not shutil.which("make"):
            self.skipTest("make not installed")
        out, err = self.list_run("make", ["--target", "prog", "-o", str(self.state / "deps.d")])
        # what make cannot name is said, once for each kind of trouble
        notes = sorted(l for l in err.splitlines() if "(this notice is given once)" in l)
        self.assertEqual(len(notes), 2, err)
        self.assertIn("names/new\\nline.py: a newline in the name cannot be written in a make "
                      "depfile; left out", notes[0])
        self.assertIn("names/tab\\there.py: a tab in the name cannot be a make target; listed "
                      "without its empty rule", notes[1])
        deps = (self.state / "deps.d").read_bytes()
        self.assertNotIn(b"new\n", deps)
        mk = self.state / "Makefile"
        mk.write_text("include deps.d\nprog:\n\ttouch prog\n")
        prog = self.state / "prog"
        past = time.time() - 1000
        for p in self.paths:
            os.utime(p, (past, past))
        prog.write_text("")

        def q():
            return subprocess.run(["make", "-q", "-f", "Makefile", "prog"], cwd=str(self.state),
                                  capture_output=True, timeout=T)
        r = q()  # every prerequisite parsed to a file that exists and is older
        self.assertEqual(r.returncode, 0, r.stderr + deps[-2000:])
        for p in self.paths:
            if b"\n" in p:
                continue
            os.utime(p, None)
            r = q()  # newer than prog: make sees that very file
            self.assertEqual(r.returncode, 1, (p, r.stderr))
            os.utime(p, (past, past))
            if b"\t" in p:
                continue  # no empty rule: make stops at its deletion
            os.rename(p, p + b".away")
            r = q()  # deleted: out of date, not an error (the empty rule names it)
            self.assertEqual(r.returncode, 1, (p, r.stderr))
            os.rename(p + b".away", p)
            os.utime(p, (past, past))

    def test_each_name_watched_one_restart_each(self):
        aw = self.start()
        aw.started(1)
        gen = 1
        for p in self.paths:
            with open(p, "ab") as f:
                f.write(b"# edit\n")
            name = os.fsdecode(os.path.basename(p))
            shown = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            m = aw.expect_change(shown)
            self.assertIsNone(m.group("more"), m.group(0))
            gen += 1
            aw.started(gen)
            if p == self.long:
                self.assertTrue(m.group("path").startswith(".../"), m.group(0))
        self.assertEqual(self.starts(), gen)
        self.sentinel(aw, "app/main.py", gen + 1)


class TestTrackedFileReplaced(FaultCase):
    """data.json is read when it is a regular file, only stat-ed otherwise:
    the app never opens a FIFO, so any hang would be autowrap's."""

    APP = ("import stat\n"
           "try:\n"
           "    if stat.S_ISREG(os.stat('app/data.json').st_mode):\n"
           "        open('app/data.json').read()\n"
           "except OSError as e:\n"
           "    print('ERR', e.errno, flush=True)\n" + APP_READY)

    def replace_with(self, opts, make, trace=None):
        """trace: a file for strace's record of every open and exec of
        autowrap's whole tree (autowrap then runs under strace)."""
        self.write_app({"main.py": self.APP, "data.json": "{}\n"})
        if trace:
            aw = self.start(["-f", "--seccomp-bpf", "-e", "trace=open,openat,openat2,execve",
                             "-o", str(trace), BIN] + list(opts), exe=STRACE)
        else:
            aw = self.start(opts)
        aw.started(1)
        tmp = self.app / "new.tmp"
        make(tmp)
        if tmp.is_dir():  # rename(2) cannot put a directory over a file
            os.unlink(self.app / "data.json")
        os.replace(tmp, self.app / "data.json")
        m = aw.expect_change("data.json")
        self.assertIsNone(m.group("more"), m.group(0))
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)
        return aw

    def fifo_never_opened(self, opts):
        # No hang, one restart; and under strace: no open of the FIFO by
        # autowrap, its guardian, or a child before it execs the program
        # (the program's own opens, after its exec, are the program's).
        if not can_strace():
            self.replace_with(opts, os.mkfifo)
            self.skipTest("strace cannot trace here (not installed, or ptrace not permitted): "
                          "no hang seen, but autowrap's opens were not checked")
        trace = self.state / "strace"
        aw = self.replace_with(opts, os.mkfifo, trace)
        # stop autowrap itself (strace exits with it), then read the record
        with open("/proc/%d/task/%d/children" % (aw.pid, aw.pid)) as f:
            sup = [int(x) for x in f.read().split()]
        self.assertEqual(len(sup), 1, sup)
        os.kill(sup[0], signal.SIGTERM)
        aw.wait()
        program, opened, seen = set(), [], set()
        for line in trace.read_text(errors="replace").splitlines():
            m = re.match(r"^(\d+) +(?:<\.\.\. )?(\w+)\((.*)", line)
            if not m:
                continue
            pid, call, rest = int(m.group(1)), m.group(2), m.group(3)
            seen.add(pid)
            if call == "execve" and rest.startswith('"%s"' % PY):
                program.add(pid)  # from here on, this pid is the program
            elif (call.startswith("open") and pid not in program and  # any spelling of it
                  re.search(r'"(?:[^"]*/)?data\.json"', rest)):
                opened.append(line)
        self.assertIn(sup[0], seen, "strace recorded nothing of autowrap")
        self.assertEqual(len(program), 3, "generations seen execing %s" % PY)
        self.assertEqual(opened, [], "autowrap opened the FIFO")

    def test_fifo_never_opened_inotify(self):
        self.fifo_never_opened([])

    def test_fifo_never_opened_poll(self):
        self.fifo_never_opened(["--poll=20"])

    def test_directory_inotify(self):
        aw = self.replace_with([], os.mkdir)
        # and back to a file: a change again
        os.rmdir(self.app / "data.json")
        self.write("app/data.json", "{}\n")
        aw.expect_change("data.json")
        aw.started(4)

    def test_directory_poll(self):
        self.replace_with(["--poll=20"], os.mkdir)

    def test_unreadable_inotify_is_metadata_only(self):
        # chmod 000 writes nothing: no restart under inotify (the next change
        # line is the sentinel's)
        self.write_app({"main.py": self.APP, "data.json": "{}\n"})
        aw = self.start(["-v"])
        aw.started(1)
        # once autowrap watches it: a chmod made before the watch, with no
        # event to say it wrote nothing, rightly counts as a change
        aw.expect_err(r"^\[autowrap\] tracking app/data\.json \((stat|read)\)$")
        os.chmod(self.app / "data.json", 0)
        self.sentinel(aw, "app/main.py", 2)

    def test_unreadable_poll_restarts_once(self):
        self.write_app({"main.py": self.APP, "data.json": "{}\n"})
        aw = self.start(["--poll=20"])
        aw.started(1)
        os.chmod(self.app / "data.json", 0)
        aw.expect_change("data.json")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)

    @unittest.skipUnless(can("mount"), NEED_MOUNT)
    def test_file_system_unmounted_under_it(self):
        mnt = self.mount_tmpfs("app/mnt", "size=64k")
        self.write("app/mnt/conf.json", "{}\n")
        self.write_app({"main.py": "try:\n    open('app/mnt/conf.json').read()\n"
                                   "except OSError as e:\n    print('ERR', e.errno, flush=True)\n"
                        + APP_READY})
        aw = self.start()
        aw.started(1)
        subprocess.run(["umount", str(mnt)], check=True)
        m = aw.expect_change("mnt/conf.json")
        self.assertIsNone(m.group("more"), m.group(0))
        aw.generation(2)
        aw.expect_out(r"^ERR %d$" % errno.ENOENT)
        aw.ready()
        # the directory below the mount point is watched now
        self.write("app/mnt/conf.json", "{}\n")
        aw.expect_change("mnt/conf.json", verb="created")
        aw.started(3)
        self.sentinel(aw, "app/main.py", 4)


class Limited(Autowrap):
    """autowrap with RLIMIT_NOFILE 64 and all but `free` descriptors taken by
    inherited /dev/null fds (free None: nothing inherited)."""

    def __init__(self, tc, args, cwd, env, free):
        self.tc = tc
        self.args = [BIN] + list(args)
        self.t0 = time.monotonic()

        def pre():
            resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
            if free is None:
                return
            fds = []
            try:
                while True:
                    fds.append(os.open("/dev/null", os.O_RDONLY))  # not close-on-exec:
            except OSError:                                       # os.open's default is
                pass                                              # fixed below
            for fd in fds[len(fds) - free:] if free else []:
                os.close(fd)
            for fd in fds[:len(fds) - free]:
                os.set_inheritable(fd, True)
        self.proc = subprocess.Popen(self.args, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True, close_fds=False, preexec_fn=pre)
        self.pid = self.proc.pid
        self.err = Stream(self.proc.stderr, "stderr")
        self.out = Stream(self.proc.stdout, "stdout")
        self.seen_pids = set()


class TestDescriptors(FaultCase):

    def start_limited(self, free, cmd=None):
        cmd = cmd or [PY, "app/main.py"]
        aw = Limited(self, ["--"] + cmd, self.tmp, self.env(), free)
        self.addCleanup(self._stop_autowrap, aw)
        return aw

    def test_ulimit_64_with_300_directories(self):
        # inotify costs one descriptor, not one per directory
        files = {"d%d/m%d.py" % (i, i): "" for i in range(300)}
        files["main.py"] = ("for i in range(300):\n"
                            "    open('app/d%d/m%d.py' % (i, i)).read()\n" + APP_READY)
        self.write_app(files)
        aw = self.start_limited(None)
        aw.started(1)
        self.edit_py("app/d250/m250.py")
        aw.expect_change("m250.py")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)
        self.assertFalse(any("polling" in l for l in aw.err.snapshot()), aw.context())

    def test_descriptor_table_full(self):
        # With k descriptors free for k = 0, 1, ...: autowrap either stops at
        # once with one line and no child, or runs and restarts on an edit.
        # inotify's descriptor is taken last, after the guardian has given
        # back its pipe's spare end, so no k leaves inotify alone without
        # room (test_poll exhausts the instance limit instead): a k that
        # runs never polls for want of inotify. The first k that runs has
        # no room left for the exec-error pipe of each start: it says so
        # once (FD_SHORT_RX), starts without it, and works.
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": ""})
        stopped = short = 0
        for k in range(0, 16):
            aw = self.start_limited(k)
            try:
                aw.generation(1)
            except AssertionError:
                rc = aw.wait()
                self.assertEqual(rc, 1, (k, aw.context()))
                line = self.one_error_line("\n".join(aw.err.snapshot()))
                self.assertRegex(line, r": Too many open files$", (k, aw.context()))
                self.assertEqual(pids_with_token(self.token), [], k)
                self.assertEqual(short, 0, "k=%d stopped after a smaller k ran" % k)
                stopped += 1
                continue
            starts = self.starts()
            aw.ready()
            self.edit_py("app/mod.py")
            aw.expect_change("mod.py")
            aw.generation(2)
            aw.ready()
            self.assertEqual(self.starts() - starts, 2, (k, aw.context()))
            self.assertEqual(aw.stop(), True)
            self.assertEqual(wait_gone(pids_with_token(self.token)), [], k)
            err = aw.err.snapshot()
            self.assertFalse([l for l in err if l.startswith("[autowrap] inotify:")],
                             (k, aw.context()))
            notes = [l for l in err if "out of file descriptors" in l]
            if not notes:
                break  # room for everything: every k above behaves the same
            self.assertEqual(len(notes), 1, (k, aw.context()))
            self.assertRegex(notes[0], FD_SHORT_RX % 64)
            short += 1
        else:
            self.fail("autowrap never had room for everything with 15 descriptors free")
        self.assertGreater(stopped, 0, "no k too small to start: the sweep tested nothing")
        self.assertGreater(short, 0, "no k ran out of descriptors after start")

    def full_table(self, aw):
        """Lower the running autowrap's RLIMIT_NOFILE (prlimit) to its lowest
        free descriptor, read while it waits in poll: from then on every
        open(), opendir() and pipe() of its fails with EMFILE. Returns the
        limits to restore."""
        old = resource.prlimit(aw.pid, resource.RLIMIT_NOFILE)
        deadline = time.monotonic() + T
        while True:
            if idle_in_poll(aw.pid):
                fds = {int(x) for x in os.listdir("/proc/%d/fd" % aw.pid)}
                low = min(x for x in range(len(fds) + 1) if x not in fds)
                resource.prlimit(aw.pid, resource.RLIMIT_NOFILE, (low, old[1]))
                # a descriptor held for a moment when we looked: try again
                if idle_in_poll(aw.pid) and all(
                        os.path.lexists("/proc/%d/fd/%d" % (aw.pid, x)) for x in range(low)):
                    return old, low
                resource.prlimit(aw.pid, resource.RLIMIT_NOFILE, old)
            self.assertLess(time.monotonic(), deadline, "autowrap never idle" + aw.context())
            time.sleep(0.01)

    def poll_timeout(self, aw, want):
        """Wait until autowrap waits in poll(2) with a timeout for which
        want(ms) holds (-1: none); x86_64 only (/proc/PID/syscall names the
        call by number). Fails after T seconds with the last one seen."""
        if platform.machine() != "x86_64":
            return
        seen, deadline = None, time.monotonic() + T
        while time.monotonic() < deadline:
            try:
                with open("/proc/%d/syscall" % aw.pid) as f:
                    sc = f.read().split()
            except OSError:
                sc = []
            if len(sc) > 3 and sc[0] == "7":  # poll(fds, nfds, timeout)
                seen = ctypes.c_int(int(sc[3], 16) & 0xffffffff).value
                if want(seen):
                    return
            time.sleep(0.02)
        self.fail("autowrap's poll timeout: last seen %r" % seen + aw.context())

    def test_no_descriptor_left_after_start(self):
        # The table full while autowrap runs. The program looked for
        # later/extra.py; later/ appears with extra.py already in it (made
        # while autowrap is stopped, so inotify's watch on later/ comes
        # after the file): only a listing of later/ finds it, and that
        # needs a descriptor. Said once; the listing is owed and autowrap
        # polls (stat needs none) until it is made: extra.py found, one
        # restart; an edit then restarts exactly once more.
        self.write_app({"main.py": "os.path.exists('app/later/extra.py')\nimport mod\n"
                        + APP_READY, "mod.py": ""})
        aw = self.start()
        aw.started(1)
        old, low = self.full_table(aw)
        os.kill(aw.pid, signal.SIGSTOP)
        try:
            (self.app / "later").mkdir()
            self.write("app/later/extra.py", "")
        finally:
            os.kill(aw.pid, signal.SIGCONT)
        aw.expect_err(FD_SHORT_RX % low)
        m = aw.expect_change("later/extra.py", verb="created")
        self.assertIsNone(m.group("more"), m.group(0))
        aw.started(2)
        self.sentinel(aw, "app/mod.py", 3)
        self.assertEqual(sum("out of file descriptors" in l for l in aw.err.snapshot()), 1,
                         aw.context())
        # the listing is still owed: polling, a tick at most 500 ms away
        self.poll_timeout(aw, lambda ms: 0 <= ms <= 500)
        # room again: the listing is made at the next tick, and then
        # inotify alone (no timeout)
        resource.prlimit(aw.pid, resource.RLIMIT_NOFILE, old)
        self.poll_timeout(aw, lambda ms: ms == -1)
        self.sentinel(aw, "app/mod.py", 4)

    def test_no_descriptor_left_daemon_gone_at_exit(self):
        # The table full: processes that left the group (setsid) cannot be
        # looked for in /proc. At exit the guardian, which has room, looks
        # instead and kills them.
        self.write_app({"main.py": DAEMON_APP, "mod.py": ""})
        aw = self.start()
        d = int(aw.expect_out(r"^DAEMON (\d+)").group(1))
        app = aw.started(1)
        low = self.full_table(aw)[1]
        aw.send(signal.SIGTERM)
        rc = aw.wait()
        self.assertEqual(rc, 143, aw.context())
        self.assertEqual(wait_gone([app, d]), [], "survivors of autowrap's exit" + aw.context())
        self.assertEqual(len([l for l in aw.err.snapshot() if re.match(FD_SHORT_RX % low, l)]), 1,
                         aw.context())


if __name__ == "__main__":
    main()
