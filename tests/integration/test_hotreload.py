"""--signal with AUTOWRAP_CHANGED: the changed paths are in a file the child
reads when the signal arrives; exiting with the restart code asks for a real
restart (hot reload when it can, restart when it must)."""

from harness import *

HOT_APP = (
    "import signal, mod, cfg\n"
    "def reload(s, f):\n"
    "    path = os.environ['AUTOWRAP_CHANGED']\n"
    "    names = sorted(l.strip() for l in open(path) if l.strip())\n"
    "    os.write(1, ('CHANGED %d %s %s\\n' % (os.getpid(), path, ' '.join(names))).encode())\n"
    "    if any(n.endswith('/cfg.py') for n in names):\n"
    "        sys.exit(3)  # cannot apply this one in place\n"
    "signal.signal(signal.SIGUSR1, reload)\n" + APP_READY)


class TestHotReload(AWTestCase):

    def test_changed_file_then_restart_code(self):
        self.write_app({"main.py": HOT_APP, "mod.py": "", "cfg.py": ""})
        aw = self.start(["--signal", "USR1", "--restart-code", "3"])
        pid = aw.started(1)
        mod = os.path.realpath(str(self.tmp / "app" / "mod.py"))
        for _ in range(2):
            self.edit_py("app/mod.py")
            aw.expect_change("mod.py", action="sending SIGUSR1")
            m = aw.expect_out(r"^CHANGED (\d+) (\S+) (.*)$")
            self.assertEqual(int(m.group(1)), pid)
            self.assertEqual([os.path.realpath(p) for p in m.group(3).split()], [mod])
            self.assertTrue(os.path.isabs(m.group(2)))
            self.assertFalse(m.group(2).startswith(str(self.tmp)), "file in the app's tree")
        self.assertEqual(self.starts(), 1)
        self.assertTrue(alive(pid))
        self.edit_py("app/cfg.py")
        aw.expect_change("cfg.py", action="sending SIGUSR1")
        aw.expect_out(r"^CHANGED %d \S+ \S+/cfg.py$" % pid)
        aw.expect_err(r"\[autowrap\] generation 1 exited with status 3 \(restart code\), "
                      r"restarting")
        aw.started(2)
        self.assertEqual(self.starts(), 2)
        self.assertFalse(alive(pid))


if __name__ == "__main__":
    main()
