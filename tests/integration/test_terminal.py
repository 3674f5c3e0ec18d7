"""A real terminal (pty): the generation is in front (reads stdin), Ctrl-C stops
everything with 130, a second Ctrl-C during a slow stop kills at once, Enter
restarts while no generation runs, -c clears before each start, and the
terminal's modes are restored at exit."""

import pty, select, termios

from harness import *


class Pty:
    """autowrap on the slave side of a pty; output read from the master."""

    def __init__(self, tc, args, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.chdir(str(tc.tmp))
                os.execve(BIN, [BIN] + list(args), env)
            finally:
                os._exit(127)
        self.buf = b""
        self.pos = 0
        self.rc = None

    def _fill(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError:
            data = b""
        if not data:
            return None
        self.buf += data
        return True

    def expect(self, pattern, timeout=T):
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern, re.M)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = end - time.monotonic()
            if left <= 0 or self._fill(left) is None:
                raise AssertionError("pty: no match for %r within %ss; output:\n%s"
                                     % (pattern, timeout, self.buf.decode(errors="replace")))

    def write(self, data):
        os.write(self.fd, data)

    def wait(self, timeout=T):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.rc = os.waitstatus_to_exitcode(st)
                return self.rc
            self._fill(0.05)
        raise AssertionError("autowrap did not exit within %ss; output:\n%s"
                             % (timeout, self.buf.decode(errors="replace")))

    def close(self):
        if self.rc is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
        os.close(self.fd)


READER_APP = (
    "import mod\n"
    "print('PID', os.getpid(), os.getpgrp(), os.tcgetpgrp(0), flush=True)\n"
    "line = sys.stdin.readline()\n"
    "print('GOT', line.strip(), flush=True)\n" + APP_READY)


class TestTerminal(AWTestCase):

    def run_pty(self, opts=(), cmd=None):
        p = Pty(self, list(opts) + ["--"] + (cmd or [PY, "app/main.py"]), self.env())
        self.addCleanup(p.close)
        return p

    def test_generation_is_foreground_and_reads_stdin_ctrl_c_exits_130(self):
        self.write_app({"main.py": READER_APP, "mod.py": ""})
        p = self.run_pty()
        m = p.expect(r"^PID (\d+) (\d+) (\d+)")
        pid, pgrp, fg = (int(x) for x in m.groups())
        self.assertEqual(pgrp, pid)
        self.assertEqual(fg, pgrp, "the generation is not the terminal's foreground group")
        p.write(b"hello\n")
        p.expect(r"^GOT hello")
        p.expect(r"^READY")
        p.write(b"\x03")
        self.assertEqual(p.wait(), 130)
        self.assertEqual(wait_gone([pid]), [])

    def test_second_ctrl_c_kills_slow_stop(self):
        self.write_app({"main.py": "import signal, mod\n"
                        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n" + APP_READY,
                        "mod.py": ""})
        p = self.run_pty(["--stop-timeout", "30"])
        pid = int(p.expect(r"^READY (\d+)").group(1))
        p.write(b"\x03")
        p.expect(r"\[autowrap\] stopping \(SIGINT\)")
        self.assertTrue(alive(pid), "app ignoring SIGINT/SIGTERM already gone")
        p.write(b"\x03")
        # far less than --stop-timeout 30: the second Ctrl-C killed it
        self.assertEqual(p.wait(T), 130)
        self.assertEqual(wait_gone([pid]), [])

    def test_enter_restarts_when_no_generation_runs(self):
        self.write_app({"main.py": "import mod\nprint('DONE', flush=True)\n", "mod.py": ""})
        p = self.run_pty()
        p.expect(r"starting generation 1:")
        p.expect(r"generation 1 exited with status 0")
        p.write(b"\n")
        p.expect(r"\[autowrap\] manual restart \(key\), restarting")
        p.expect(r"starting generation 2:")
        p.expect(r"^DONE")
        self.assertEqual(self.starts(), 2)

    def test_clear_before_each_start(self):
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": ""})
        p = self.run_pty(["-c"])
        p.expect(re.escape("\033[H\033[2J\033[3J"))
        p.expect(r"starting generation 1:")
        p.expect(r"^READY")
        self.edit_py("app/mod.py")
        p.expect(re.escape("\033[H\033[2J\033[3J"))
        p.expect(r"starting generation 2:")
        p.expect(r"^READY")

    def test_terminal_modes_restored(self):
        # the app turns echo off and is then killed: autowrap puts it back
        self.write_app({"main.py": "import termios, mod\n"
                        "a = termios.tcgetattr(0)\n"
                        "a[3] &= ~termios.ECHO\n"
                        "termios.tcsetattr(0, termios.TCSANOW, a)\n" + APP_READY,
                        "mod.py": ""})
        p = self.run_pty()
        p.expect(r"^READY")
        self.assertFalse(termios.tcgetattr(p.fd)[3] & termios.ECHO)
        p.write(b"\x03")
        self.assertEqual(p.wait(), 130)
        self.assertTrue(termios.tcgetattr(p.fd)[3] & termios.ECHO, "echo not restored")


if __name__ == "__main__":
    main()
