"""Restart on change: modules, packages, editors' saves, bursts, files the app
writes, ignored globs, files that satisfy an earlier failed lookup, a crash."""

import shutil
import time

from harness import *


class TestRestart(AWTestCase):

    def test_plain_module_change_restarts(self):
        self.write_app({"main.py": "import mod\nprint('mod says', mod.VALUE)\n" + APP_READY,
                        "mod.py": "VALUE = 1\n"})
        aw = self.start()
        pid1 = aw.started(1)
        self.edit_py("app/mod.py")
        aw.expect_change("mod.py", verb="changed")
        pid2 = aw.started(2)
        self.assertNotEqual(pid1, pid2)
        self.assertFalse(alive(pid1), "generation 1 still alive after generation 2 started")
        self.sentinel(aw, "app/main.py", 3)

    def test_package_submodule_change_restarts(self):
        self.write_app({"main.py": "import pkg.sub\n" + APP_READY,
                        "pkg/__init__.py": "from . import helper\n",
                        "pkg/helper.py": "X = 1\n",
                        "pkg/sub.py": "Y = 2\n"})
        aw = self.start()
        aw.started(1)
        self.edit_py("app/pkg/sub.py")
        aw.expect_change("sub.py")
        aw.started(2)
        self.edit_py("app/pkg/helper.py")
        aw.expect_change("helper.py")
        aw.started(3)
        self.edit_py("app/pkg/__init__.py")
        aw.expect_change("__init__.py")
        aw.started(4)
        self.assertEqual(self.starts(), 4)

    def test_atomic_rename_save_restarts_twice(self):
        self.write_app({"main.py": "import mod\nprint('v', mod.V)\n" + APP_READY,
                        "mod.py": "V = 1\n"})
        aw = self.start()
        aw.started(1)
        self.atomic_save("app/mod.py", "V = 2  # sizes differ: pyc validation is by mtime (s) + size\n")
        aw.expect_change("mod.py")
        aw.expect_out(r"^v 2$")
        aw.started(2)
        self.atomic_save("app/mod.py", "V = 33\n")
        aw.expect_change("mod.py")
        aw.expect_out(r"^v 33$")
        aw.started(3)
        self.assertEqual(self.starts(), 3)
        self.sentinel(aw, "app/main.py", 4)

    def test_burst_of_200_files_gives_one_restart(self):
        files = {"mods/m%03d.py" % i: "N = %d\n" % i for i in range(200)}
        files["mods/__init__.py"] = ""
        files["main.py"] = ("import importlib\n"
                            "t = sum(importlib.import_module('mods.m%03d' % i).N for i in range(200))\n"
                            "print('total', t, flush=True)\n" + APP_READY)
        self.write_app(files)
        aw = self.start()
        aw.expect_out(r"^total 19900$")
        aw.started(1)
        # As a `git checkout` does: new contents prepared, then 200 files replaced
        # back to back (sub-millisecond gaps, unless the machine is very loaded).
        mods = self.app / "mods"
        for i in range(200):
            (mods / (".m%03d.new" % i)).write_text("N = %d  # burst\n" % (i + 1000))
        at = []
        for i in range(200):
            os.replace(mods / (".m%03d.new" % i), mods / ("m%03d.py" % i))
            at.append(time.monotonic())
        # A landed file with no other change for 5 ms restarts at once (design
        # notes, "Debounce"): a writer descheduled longer than that between two
        # files splits the burst. The test can see its own stalls; each may
        # cost one restart more, and only those.
        stalls = sum(1 for a, b in zip(at, at[1:]) if b - a > 0.004)
        m = aw.change()
        self.assertEqual(m.group("action"), "restarting", m.group(0))
        final = str(19900 + 200 * 1000)

        def next_total(gen):
            aw.generation(gen)
            t = aw.expect_out(r"^total (\d+)$").group(1)
            aw.ready()
            return t

        gen = 2
        while next_total(gen) != final:
            self.assertLess(gen - 2, stalls, "a restart the writer's stalls do not explain "
                            "(gaps over 4 ms: %d)%s" % (stalls, aw.context()))
            aw.change()
            gen += 1
        self.sentinel(aw, "app/main.py", gen + 1)

    def test_written_file_never_restarts(self):
        # The app reads and rewrites state.json (a tracked extension), writes a log
        # and its bytecode cache; none of these may trigger a restart.
        self.write_app({"main.py": (
            "import json, mod\n"
            "p = os.path.join(os.path.dirname(__file__), 'state.json')\n"
            "try:\n"
            "    n = json.load(open(p))['n']\n"
            "except (OSError, ValueError):\n"
            "    n = 0\n"
            "with open(p, 'w') as f:\n"
            "    json.dump({'n': n + 1}, f)\n"
            "with open(os.path.join(os.path.dirname(__file__), 'app.log'), 'a') as f:\n"
            "    f.write('started\\n')\n" + APP_READY),
            "mod.py": "X = 1\n",
            "state.json": '{"n": 0}'})
        aw = self.start()
        aw.started(1)
        # Someone else changes the written file: still no restart.
        self.write("app/state.json", '{"n": 100, "pad": "xxxxxxxx"}')
        self.write("app/app.log", "rewritten by the test\n")
        self.sentinel(aw, "app/mod.py", 2)
        # The second generation rewrote state.json again (and the pyc of mod.py).
        self.write("app/state.json", '{"n": 200, "pad": "yyyyyyyyyyyyyyyy"}')
        self.sentinel(aw, "app/mod.py", 3)

    def test_ignore_glob_prevents_restart(self):
        self.write_app({"main.py": "import mod, ignored_a\nimport sub.ignored_b\n" + APP_READY,
                        "mod.py": "",
                        "ignored_a.py": "",
                        "sub/__init__.py": "",
                        "sub/ignored_b.py": ""})
        aw = self.start(["-i", "ignored_*.py", "--ignore", str(self.app / "sub") + "/*"])
        aw.started(1)
        self.edit_py("app/ignored_a.py")      # name glob, any directory
        self.edit_py("app/sub/ignored_b.py")  # matches both globs
        self.edit_py("app/sub/__init__.py")   # whole-path glob
        self.sentinel(aw, "app/mod.py", 2)

    def test_created_file_satisfies_failed_lookup(self):
        self.write_app({"main.py": (
            "sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'plugins'))\n"
            "try:\n"
            "    import optional\n"
            "    print('optional', optional.V, flush=True)\n"
            "except ImportError:\n"
            "    print('no optional', flush=True)\n" + APP_READY),
            "plugins/present.py": ""})
        aw = self.start()
        aw.expect_out("^no optional$")
        aw.started(1)
        # Not restarts: a non-tracked name and editor artefacts in the same directory.
        self.write("app/plugins/README.md", "# notes\n")
        self.write("app/plugins/.optional.py.swp", "swap")
        self.write("app/plugins/optional.py~", "backup")
        self.write("app/plugins/4913", "")
        # The file Python looked for and did not find: a restart.
        self.write("app/plugins/optional.py", "V = 7\n")
        aw.expect_change("optional.py")
        aw.expect_out("^optional 7$")
        aw.started(2)
        self.assertEqual(self.starts(), 2)
        self.sentinel(aw, "app/main.py", 3)

    def test_syntax_error_crash_fix_runs_again(self):
        self.write_app({"main.py": "import broken\n" + APP_READY,
                        "broken.py": "def f(:\n    pass\n"})
        aw = self.start()
        aw.generation(1)
        m = aw.expect_err(EXIT_RX)
        self.assertEqual(m.group("status"), "1", m.group(0))
        self.assertGreater(int(m.group("count")), 0)
        self.assertEqual(self.starts(), 1)
        self.write("app/broken.py", "def f():\n    pass\n")
        aw.expect_change("broken.py")
        aw.started(2)
        self.sentinel(aw, "app/broken.py", 3)

    def test_python3_from_path(self):
        # `python3` as found on PATH (may be a pyenv bash shim that execs the real one).
        if shutil.which("python3") is None:
            self.skipTest("no python3 on PATH")
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": ""})
        aw = self.start(cmd=["python3", "app/main.py"])
        aw.started(1)
        self.edit_py("app/mod.py")
        aw.expect_change("mod.py")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)


    def test_symlinked_files(self):
        # Config maps, dotfiles, /etc/alternatives: the app names a symlink.
        self.write("app/real/conf.json", '{"v": 1}')
        self.write("app/real/linked.py", "X = 1\n")
        os.symlink("real/conf.json", self.app / "conf.json")
        os.symlink("real/linked.py", self.app / "linked.py")
        self.write_app({"main.py": (
            "import json, linked\nd = os.path.dirname(os.path.abspath(__file__))\n"
            "p = os.path.join(d, 'conf.json')\n"
            # lstat and realpath look at the link itself: that must not
            # read as a change of the file (it once looped restarting).
            "os.stat(p)\nos.lstat(p)\nos.path.realpath(p)\njson.load(open(p))\n"
            "print('conf', json.load(open(p))['v'], flush=True)\n" + APP_READY),
            "mod.py": ""})
        aw = self.start()
        aw.expect_out("^conf 1$")
        aw.started(1)
        self.sentinel(aw, "app/main.py", 2)      # no spurious restart from the links
        self.write("app/real/conf.json", '{"v": 22}')  # edit through the target
        aw.expect_change("conf.json")
        aw.expect_out("^conf 22$")
        aw.started(3)
        self.edit_py("app/real/linked.py")
        aw.change()
        aw.started(4)
        self.sentinel(aw, "app/main.py", 5)


if __name__ == "__main__":
    main()
