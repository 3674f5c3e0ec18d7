"""No orphans: descendants that leave the process group (setsid + double fork)
are stopped on restart, on exit and when autowrap is SIGKILLed; SIGHUP is a
manual restart; the stop line says how long the stop took."""

from harness import *

# The app double-forks a daemon into its own session, then idles.
DAEMON_APP = (
    "import mod, time\n"
    "r, w = os.pipe()\n"
    "if os.fork() == 0:\n"
    "    os.setsid()\n"
    "    if os.fork() == 0:\n"
    "        aw_log('daemon')\n"
    "        os.write(w, b'%d\\n' % os.getpid())\n"
    "        while True:\n"
    "            time.sleep(3600)\n"
    "    os._exit(0)\n"
    "os.wait()\n"
    "print('DAEMON', os.read(r, 64).decode().strip(), flush=True)\n" + APP_READY)

STOP_RX = r"^\[autowrap\] generation (\d+) stopped in (\d+\.\d\d) s$"


class TestTree(AWTestCase):

    def start_daemon_app(self):
        self.write_app({"main.py": DAEMON_APP, "mod.py": ""})
        aw = self.start()
        d = int(aw.expect_out(r"^DAEMON (\d+)").group(1))
        app = aw.started(1)
        self.assertNotEqual(os.getpgid(d), os.getpgid(app), "daemon did not leave the group")
        return aw, app, d

    def test_escaped_daemon_stopped_before_next_generation(self):
        aw, app, d1 = self.start_daemon_app()
        self.edit_py("app/mod.py")
        # the stop line comes first; the change line summarises the batch at the start
        self.assertEqual(aw.expect_err(STOP_RX).group(1), "1")
        aw.expect_change("mod.py")
        aw.generation(2)
        self.assertFalse(alive(d1), "setsid daemon of generation 1 alive at generation 2")
        self.assertIsNone(proc_state(d1), "daemon of generation 1 not reaped at generation 2")
        d2 = int(aw.expect_out(r"^DAEMON (\d+)").group(1))
        aw.ready()
        self.assertTrue(alive(d2))

    def test_escaped_daemon_gone_after_sigint(self):
        aw, app, d = self.start_daemon_app()
        aw.send(signal.SIGINT)
        self.assertEqual(aw.wait(), 130, aw.context())
        self.assertEqual(wait_gone([app, d]), [], "survivors after SIGINT")

    def test_escaped_daemon_gone_after_sigkill(self):
        aw, app, d = self.start_daemon_app()
        aw.send(signal.SIGKILL)
        aw.proc.wait(T)
        self.assertEqual(wait_gone([app, d]), [], "daemon outlived SIGKILLed autowrap")
        self.assertEqual(wait_gone(pids_with_token(self.token)), [])

    def test_sighup_is_manual_restart(self):
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": ""})
        aw = self.start()
        app1 = aw.started(1)
        aw.send(signal.SIGHUP)
        aw.expect_err(r"^\[autowrap\] manual restart \(SIGHUP\), restarting$")
        self.assertEqual(aw.expect_err(STOP_RX).group(1), "1")
        aw.generation(2)
        self.assertFalse(alive(app1))
        aw.ready()
        self.assertEqual(self.starts(), 2)
        self.assertIsNone(aw.proc.poll(), "autowrap exited on SIGHUP")
        self.sentinel(aw, "app/mod.py", 3)


if __name__ == "__main__":
    main()
