"""Shared helpers for autowrap's integration tests (Python standard library only).

Every wait here has a deadline. Output of autowrap (its status lines on stderr and
the app's stdout) is read by reader threads into line lists; tests consume lines in
order with expect(), which fails with the tail of both streams when the deadline
passes. Each test runs in its own temporary directory and, in teardown, autowrap's
whole tree is stopped and checked gone: every process carrying the test's token in
its environment, and every pid the apps logged, must vanish within a deadline.

Environment (set by CTest): AUTOWRAP_BIN, AUTOWRAP_SHIM, AUTOWRAP_PROGS,
AUTOWRAP_SANITIZED. Without them the binaries are looked up in <repo>/build.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_BUILD = REPO / os.environ.get("AUTOWRAP_BUILD", "build")
BIN = os.environ.get("AUTOWRAP_BIN") or str(_BUILD / "supervisor" / "autowrap")
SHIM = os.environ.get("AUTOWRAP_SHIM") or str(_BUILD / "preload" / "libtrack.so")
PROGS = os.environ.get("AUTOWRAP_PROGS") or str(_BUILD / "tests" / "progs")
SANITIZED = os.environ.get("AUTOWRAP_SANITIZED", "").strip().lower() in (
    "1", "true", "on", "yes", "y")
PY = "/usr/bin/python3"

# Deadlines: generous (they only bound a failure), scaled for the ASan build.
SCALE = 4 if SANITIZED else 1
T = 15 * SCALE          # default deadline for one expected event
T_GONE = 10 * SCALE     # deadline for a process to vanish

GEN_RX = r"\[autowrap\] starting generation (\d+): "
CHANGE_RX = (r"\[autowrap\] (?P<path>.+?)(?: and (?P<more>\d+) more)? "
             r"(?P<verb>changed|created|deleted), (?P<action>restarting|sending (?P<sig>\S+))$")
EXIT_RX = (r"\[autowrap\] generation (?P<gen>\d+) (?:exited with status (?P<status>\d+)|"
           r"killed by (?P<sig>SIG\w+)); watching (?P<count>\d+) files?")

# Prepended to every main app: logs "main <pid>" at start (the start count) and
# offers log(tag) for other processes of the tree.
APP_PRELUDE = '''\
import os, sys
def aw_log(tag, pid=None):
    p = os.environ.get("AW_TEST_PIDLOG")
    if p:
        with open(p, "a") as f:
            f.write("%s %d\\n" % (tag, pid if pid is not None else os.getpid()))
aw_log("main")
'''
# Appended to long-running apps: announce readiness, then idle until stopped.
APP_READY = '''\
print("READY", os.getpid(), flush=True)
import time
while True:
    time.sleep(3600)
'''


def skip_unless_built():
    missing = [p for p in (BIN, SHIM) if not os.path.exists(p)]
    if missing:
        raise unittest.SkipTest("not built: " + ", ".join(missing))


class Stream:
    """Lines of one pipe, read by a thread; consumed in order by expect()."""

    def __init__(self, f, name):
        self.name = name
        self.lines = []
        self.pos = 0
        self.eof = False
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(f,), daemon=True)
        self.thread.start()

    def _read(self, f):
        try:
            for raw in iter(f.readline, b""):
                line = raw.decode("utf-8", "surrogateescape").rstrip("\n")
                with self.cond:
                    self.lines.append(line)
                    self.cond.notify_all()
        finally:
            with self.cond:
                self.eof = True
                self.cond.notify_all()

    def expect(self, pattern, timeout=T):
        """Next line (from the cursor on) matching pattern; moves the cursor past it."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                while self.pos < len(self.lines):
                    line = self.lines[self.pos]
                    self.pos += 1
                    m = rx.search(line)
                    if m:
                        return m
                if self.eof:
                    raise TimeoutError("%s: end of stream waiting for /%s/" % (self.name, pattern))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("%s: no line matching /%s/ within %ss"
                                       % (self.name, pattern, timeout))
                self.cond.wait(left)

    def wait_eof(self, timeout=T):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not self.eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True

    def snapshot(self):
        with self.cond:
            return list(self.lines)

    def pending(self):
        """Lines not consumed yet (and consume them)."""
        with self.cond:
            out = self.lines[self.pos:]
            self.pos = len(self.lines)
            return out

    def tail(self, n=40):
        with self.cond:
            return self.lines[-n:]


def proc_state(pid):
    """'Z', 'R', ... or None when the pid does not exist."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    except OSError:
        return None
    return data[data.rfind(b")") + 2:][:1].decode()


def alive(pid):
    st = proc_state(pid)
    return st is not None and st not in ("Z", "X")


def wait_gone(pids, timeout=T_GONE):
    """Wait until none of pids is alive; return the survivors."""
    deadline = time.monotonic() + timeout
    while True:
        left = [p for p in pids if alive(p)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.02)


def pids_with_token(token):
    """Live processes whose initial environment holds AW_TEST_TOKEN=token."""
    needle = ("AW_TEST_TOKEN=%s" % token).encode()
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        pid = int(d)
        try:
            with open("/proc/%d/environ" % pid, "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if needle in env and alive(pid):
            out.append(pid)
    return out


def proc_children_tree(root):
    """Descendants of root (a snapshot from /proc)."""
    parent = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d, "rb") as f:
                data = f.read()
            rest = data[data.rfind(b")") + 2:].split()
            parent[int(d)] = int(rest[1])
        except (OSError, IndexError, ValueError):
            continue
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        for c, pp in parent.items():
            if pp == p and c not in out:
                out.append(c)
                todo.append(c)
    return out


def kill_hard(pids):
    for p in pids:
        for f in (lambda: os.killpg(os.getpgid(p), signal.SIGKILL),
                  lambda: os.kill(p, signal.SIGKILL)):
            try:
                f()
            except OSError:
                pass


class Autowrap:
    """One autowrap process with its stdout/stderr read by threads."""

    def __init__(self, tc, args, cwd, env, exe=None):
        self.tc = tc
        self.args = [exe or BIN] + list(args)
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(self.args, cwd=str(cwd), env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        self.pid = self.proc.pid
        self.err = Stream(self.proc.stderr, "stderr")
        self.out = Stream(self.proc.stdout, "stdout")
        self.seen_pids = set()

    # -- failure context -------------------------------------------------
    def context(self):
        return ("\n--- command: %s\n--- autowrap stderr (tail):\n%s\n--- stdout (tail):\n%s"
                % (" ".join(self.args), "\n".join(self.err.tail()), "\n".join(self.out.tail())))

    def _expect(self, stream, pattern, timeout):
        try:
            return stream.expect(pattern, timeout)
        except TimeoutError as e:
            raise AssertionError(str(e) + self.context()) from None

    def expect_err(self, pattern, timeout=T):
        return self._expect(self.err, pattern, timeout)

    def expect_out(self, pattern, timeout=T):
        return self._expect(self.out, pattern, timeout)

    # -- protocol helpers ------------------------------------------------
    def generation(self, n=None, timeout=T):
        """Wait for 'starting generation N'; assert N when given."""
        g = int(self.expect_err(GEN_RX, timeout).group(1))
        if n is not None and g != n:
            raise AssertionError("expected generation %d, got %d%s" % (n, g, self.context()))
        return g

    def ready(self, timeout=T):
        """Wait for the app's READY line; return its pid."""
        pid = int(self.expect_out(r"^READY (\d+)", timeout).group(1))
        self.seen_pids.add(pid)
        return pid

    def started(self, n, timeout=T):
        self.generation(n, timeout)
        return self.ready(timeout)

    def change(self, timeout=T):
        """Wait for the next change status line; return its match."""
        return self.expect_err(CHANGE_RX, timeout)

    def expect_change(self, name, verb=None, action="restarting", timeout=T):
        m = self.change(timeout)
        path = m.group("path")
        if not (path == name or path.endswith("/" + name)):
            raise AssertionError("next change line names %r, expected %r (line: %r)%s"
                                 % (path, name, m.group(0), self.context()))
        if verb and m.group("verb") != verb:
            raise AssertionError("expected %r, got %r%s" % (verb, m.group(0), self.context()))
        if action and m.group("action") != action:
            raise AssertionError("expected action %r, got %r%s"
                                 % (action, m.group(0), self.context()))
        return m

    def wait(self, timeout=T):
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("autowrap did not exit within %ss%s"
                                 % (timeout, self.context())) from None
        self.err.wait_eof(5)
        self.out.wait_eof(5)
        return rc

    def send(self, sig):
        self.proc.send_signal(sig)

    def wait_watched(self, path, timeout=T):
        """Until autowrap's inotify descriptor holds a watch on path (its
        fdinfo's "inotify wd:N ino:HEX" lines): a "tracking" line is said
        just before the watch it announces is made."""
        ino = "%x" % os.stat(path).st_ino
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for fd in os.listdir("/proc/%d/fd" % self.pid):
                try:
                    if os.readlink("/proc/%d/fd/%s" % (self.pid, fd)) != "anon_inode:inotify":
                        continue
                    with open("/proc/%d/fdinfo/%s" % (self.pid, fd)) as f:
                        if any(line.startswith("inotify wd:") and (" ino:%s " % ino) in line
                               for line in f):
                            return
                except OSError:
                    pass
            time.sleep(0.01)
        raise AssertionError("autowrap never watched %s" % path + self.context())

    # -- teardown --------------------------------------------------------
    def descendants(self):
        return proc_children_tree(self.pid) if self.proc.poll() is None else []

    def stop(self):
        """Stop autowrap (SIGTERM, then SIGKILL); returns True if it stopped gracefully."""
        if self.proc.poll() is not None:
            return True
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(T_GONE)
            return True
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(T_GONE)
            return False


class AWTestCase(unittest.TestCase):
    """Base: a temporary directory per test (tmp/app for the app, tmp/state for the
    harness), a token in every child's environment, and leftover-process checks."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        skip_unless_built()

    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="aw-it-")
        self.addCleanup(td.cleanup)
        self.tmp = Path(td.name)
        self.app = self.tmp / "app"
        self.state = self.tmp / "state"
        self.app.mkdir()
        self.state.mkdir()
        self.pidlog = self.state / "pids"
        self.token = uuid.uuid4().hex
        self.edits = 0
        self.addCleanup(self._check_no_survivors)

    # -- files -----------------------------------------------------------
    def write(self, rel, text, mode=None):
        p = self.tmp / rel if not os.path.isabs(str(rel)) else Path(rel)
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text)
        if mode is not None:
            os.chmod(p, mode)
        return p

    def write_app(self, files):
        """files: {relative path under tmp/app: text}; 'main.py' gets the prelude."""
        for rel, text in files.items():
            if rel == "main.py":
                text = APP_PRELUDE + text
            self.write(Path("app") / rel, text)

    def edit_py(self, rel):
        """Append a comment to a Python file (size changes: a real change)."""
        self.edits += 1
        p = self.tmp / rel
        with open(p, "a") as f:
            f.write("# edit %d\n" % self.edits)
        return p

    def atomic_save(self, rel, text):
        """Save as editors do: write a temporary file, then rename it over the target."""
        p = self.tmp / rel
        tmp = p.with_name("." + p.name + ".tmp%d" % self.edits)
        self.edits += 1
        tmp.write_text(text)
        os.replace(tmp, p)
        return p

    def starts(self, tag="main"):
        try:
            lines = self.pidlog.read_text().splitlines()
        except FileNotFoundError:
            return 0
        return sum(1 for line in lines if line.split(" ")[0] == tag)

    def logged_pids(self, tag=None):
        try:
            lines = self.pidlog.read_text().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            parts = line.split()
            if len(parts) == 2 and (tag is None or parts[0] == tag):
                out.append(int(parts[1]))
        return out

    # -- processes -------------------------------------------------------
    def env(self, extra=None, path=None):
        env = dict(os.environ)
        for k in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP",
                  "PYTHONINSPECT", "PYTHONSAFEPATH", "LD_PRELOAD", "AUTOWRAP_SOCK",
                  "AUTOWRAP_TRACE", "AUTOWRAP_EXT", "AUTOWRAP_ALL", "AUTOWRAP_OPTS"):
            env.pop(k, None)
        env["PYTHONUNBUFFERED"] = "1"
        env["NO_COLOR"] = "1"
        env["AW_TEST_TOKEN"] = self.token
        env["AW_TEST_PIDLOG"] = str(self.pidlog)
        if os.path.exists(SHIM):
            env["AUTOWRAP_LIB"] = SHIM
        if path is not None:
            env["PATH"] = path
        if extra:
            env.update(extra)
        return env

    def start(self, opts=(), cmd=None, env=None, exe=None):
        """Start autowrap OPTS -- CMD (default: /usr/bin/python3 app/main.py) in tmp;
        exe: another autowrap executable (an installed one)."""
        if cmd is None:
            cmd = [PY, "app/main.py"]
        aw = Autowrap(self, list(opts) + ["--"] + list(cmd), self.tmp, env or self.env(), exe)
        self.addCleanup(self._stop_autowrap, aw)
        return aw

    def _stop_autowrap(self, aw):
        tree = aw.descendants()
        graceful = aw.stop()
        pids = set(tree) | set(self.logged_pids()) | aw.seen_pids
        survivors = wait_gone(sorted(pids))
        kill_hard(survivors)
        # Close the pipes only once the readers saw EOF (closing a reader blocked
        # in readline would block this thread too); survivors hold the write ends.
        for s, f in ((aw.err, aw.proc.stderr), (aw.out, aw.proc.stdout)):
            if s.wait_eof(2):
                f.close()
        if not graceful:
            self.fail("autowrap ignored SIGTERM for %ss" % T_GONE + aw.context())
        if survivors:
            self.fail("processes survived autowrap's exit: %s%s" % (survivors, aw.context()))

    def _check_no_survivors(self):
        survivors = wait_gone(pids_with_token(self.token))
        if survivors:
            desc = []
            for p in survivors:
                try:
                    desc.append("%d %s" % (p, open("/proc/%d/cmdline" % p, "rb").read()
                                           .replace(b"\0", b" ").decode(errors="replace")))
                except OSError:
                    desc.append(str(p))
            kill_hard(survivors)
            self.fail("leftover processes after the test: " + "; ".join(desc))

    def run_aw(self, args, timeout=T, env=None, cwd=None):
        """Run autowrap to completion (list mode, bad input): (rc, stdout, stderr) as str."""
        p = subprocess.Popen([BIN] + list(args), cwd=str(cwd or self.tmp), env=env or self.env(),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_hard([p.pid] + proc_children_tree(p.pid))
            out, err = p.communicate(timeout=T_GONE)
            self.fail("autowrap %s did not finish within %ss; stderr:\n%s"
                      % (" ".join(args), timeout, err.decode(errors="replace")[-3000:]))
        return (p.returncode, out.decode("utf-8", "surrogateescape"),
                err.decode("utf-8", "surrogateescape"))

    def sentinel(self, aw, rel, gen):
        """Prove that nothing else restarted the app: edit rel (a tracked module), and
        require the very next change line to name it and the next generation to be
        exactly gen, with the app started exactly gen times."""
        self.edit_py(rel)
        m = aw.expect_change(os.path.basename(rel))
        if m.group("more"):
            raise AssertionError("the sentinel's change came with others: %r%s"
                                 % (m.group(0), aw.context()))
        aw.started(gen)
        self.assertEqual(self.starts(), gen, "app start count")


def have_cc():
    return shutil.which("cc") is not None


def main():
    unittest.main(verbosity=2)

