"""Child control: stop timeout, grandchildren, signals to autowrap, exits of the
app on its own, --restart-code, --signal."""

from harness import *

GRANDCHILD_APP = (
    "import subprocess, mod\n"
    "gc = subprocess.Popen(['sleep', '1000'])\n"
    "aw_log('grandchild', gc.pid)\n"
    "print('GRANDCHILD', gc.pid, flush=True)\n" + APP_READY)


class TestLifecycle(AWTestCase):

    def test_sigterm_ignoring_app_killed_after_stop_timeout(self):
        self.write_app({"main.py": "import signal, mod\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                   + APP_READY, "mod.py": ""})
        aw = self.start(["--stop-timeout", "1"])
        pid1 = aw.started(1)
        t0 = time.monotonic()
        self.edit_py("app/mod.py")
        mark = aw.err.pos
        aw.generation(2)
        elapsed = time.monotonic() - t0
        aw.ready()
        # Both lines before generation 2, in either order (the change line may
        # summarise the batch when the restart happens).
        between = aw.err.snapshot()[mark:aw.err.pos]
        self.assertTrue(any(re.search(CHANGE_RX, l) and "mod.py" in l for l in between),
                        aw.context())
        self.assertIn("[autowrap] generation 1 did not stop within 1 s after SIGTERM; "
                      "sending SIGKILL", between, aw.context())
        self.assertGreater(elapsed, 0.5, "SIGKILL came before the stop timeout")
        self.assertLess(elapsed, 4 * SCALE, "replacement took far longer than --stop-timeout 1")
        self.assertFalse(alive(pid1))
        self.sentinel(aw, "app/main.py", 3)

    def test_grandchild_gone_after_restart(self):
        self.write_app({"main.py": GRANDCHILD_APP, "mod.py": ""})
        aw = self.start()
        gc1 = int(aw.expect_out(r"^GRANDCHILD (\d+)").group(1))
        aw.started(1)
        self.assertTrue(alive(gc1))
        self.edit_py("app/mod.py")
        aw.expect_change("mod.py")
        aw.generation(2)
        # The next generation starts only after the whole group is gone and reaped.
        self.assertFalse(alive(gc1), "grandchild `sleep 1000` alive when generation 2 started")
        self.assertIsNone(proc_state(gc1), "grandchild not reaped (zombie) at generation 2")
        aw.ready()

    def signal_autowrap(self, sig):
        self.write_app({"main.py": GRANDCHILD_APP, "mod.py": ""})
        aw = self.start()
        gc = int(aw.expect_out(r"^GRANDCHILD (\d+)").group(1))
        app = aw.started(1)
        aw.send(sig)
        rc = aw.wait()
        self.assertEqual(wait_gone([app, gc]), [], "survivors after %s" % sig.name)
        return aw, rc

    def test_sigint_exits_130_no_survivor(self):
        aw, rc = self.signal_autowrap(signal.SIGINT)
        self.assertEqual(rc, 130, aw.context())
        self.assertIn("[autowrap] stopping (SIGINT)", aw.err.snapshot(), aw.context())

    def test_sigterm_exits_143_no_survivor(self):
        aw, rc = self.signal_autowrap(signal.SIGTERM)
        self.assertEqual(rc, 143, aw.context())

    def test_sigkill_to_autowrap_no_survivor(self):
        self.write_app({"main.py": GRANDCHILD_APP, "mod.py": ""})
        aw = self.start()
        gc = int(aw.expect_out(r"^GRANDCHILD (\d+)").group(1))
        app = aw.started(1)
        aw.send(signal.SIGKILL)
        aw.proc.wait(T)
        left = wait_gone([app, gc])
        self.assertEqual(left, [], "app/grandchild outlived SIGKILLed autowrap")
        self.assertEqual(wait_gone(pids_with_token(self.token)), [])

    def test_app_exits_on_its_own_then_change_restarts(self):
        self.write_app({"main.py": "import mod\nprint('done', flush=True)\n", "mod.py": ""})
        aw = self.start()
        aw.generation(1)
        m = aw.expect_err(EXIT_RX)
        self.assertEqual((m.group("gen"), m.group("status")), ("1", "0"), m.group(0))
        self.assertIsNone(aw.proc.poll(), "autowrap exited with its app")
        self.edit_py("app/mod.py")
        aw.expect_change("mod.py")
        aw.generation(2)
        m = aw.expect_err(EXIT_RX)
        self.assertEqual(m.group("gen"), "2")

    def test_app_killed_by_signal_reported(self):
        # ASan (preloaded into the app in the sanitizer build) catches SIGSEGV itself.
        sig = "SIGABRT" if SANITIZED else "SIGSEGV"
        self.write_app({"main.py": "import mod, signal\nos.kill(os.getpid(), signal.%s)\n" % sig,
                        "mod.py": ""})
        aw = self.start()
        aw.generation(1)
        m = aw.expect_err(EXIT_RX)
        self.assertEqual(m.group("sig"), sig, m.group(0))
        self.edit_py("app/mod.py")
        aw.expect_change("mod.py")
        aw.generation(2)

    def test_restart_code(self):
        # First start exits with 3 (restart code): restarted at once, no file change.
        self.write_app({"main.py": (
            "n = sum(1 for l in open(os.environ['AW_TEST_PIDLOG']) if l.startswith('main'))\n"
            "if n == 1:\n    sys.exit(3)\n"
            "if n == 2:\n    sys.exit(4)\n" + APP_READY), "mod.py": ""})
        aw = self.start(["--restart-code", "3"])
        aw.generation(1)
        aw.expect_err(r"\[autowrap\] generation 1 exited with status 3 \(restart code\), "
                      r"restarting")
        aw.generation(2)
        # Another status is an ordinary exit: watching goes on.
        m = aw.expect_err(EXIT_RX)
        self.assertEqual((m.group("gen"), m.group("status")), ("2", "4"), m.group(0))
        self.edit_py("app/main.py")
        aw.expect_change("main.py")
        aw.started(3)
        self.assertEqual(self.starts(), 3)

    def test_signal_mode_sends_sighup(self):
        self.write_app({"main.py": (
            "import signal, mod\n"
            "signal.signal(signal.SIGHUP, lambda s, f: print('GOT SIGHUP', os.getpid(), flush=True))\n"
            + APP_READY), "mod.py": ""})
        aw = self.start(["--signal", "SIGHUP"])
        pid = aw.started(1)
        for _ in range(2):
            self.edit_py("app/mod.py")
            aw.expect_change("mod.py", action="sending SIGHUP")
            got = int(aw.expect_out(r"^GOT SIGHUP (\d+)").group(1))
            self.assertEqual(got, pid)
        self.assertTrue(alive(pid))
        self.assertEqual(self.starts(), 1)
        self.assertFalse(any(re.search(GEN_RX, l) and "generation 1" not in l
                             for l in aw.err.snapshot()), aw.context())


if __name__ == "__main__":
    main()
