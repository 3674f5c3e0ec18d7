"""Everything a Python program loads that is not a plain module import: zip
imports, .pth files, config files, package data, extension libraries, files
loaded by subprocesses (close_fds, env={}), by forked children, by threads."""

import zipfile

from harness import *


class TestPythonLoads(AWTestCase):

    def make_zip(self, path, files):
        tmp = str(path) + ".new"
        with zipfile.ZipFile(tmp, "w") as z:
            for name, text in files.items():
                z.writestr(name, text)
        os.replace(tmp, path)

    def test_zip_import(self):
        self.make_zip(self.app / "lib.zip", {"zmod.py": "V = 1\n"})
        self.write_app({"main.py": (
            "sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib.zip'))\n"
            "import zmod\nprint('zmod', zmod.V, flush=True)\n" + APP_READY)})
        aw = self.start()
        aw.expect_out("^zmod 1$")
        aw.started(1)
        self.make_zip(self.app / "lib.zip", {"zmod.py": "V = 2\n"})
        aw.expect_change("lib.zip")
        aw.expect_out("^zmod 2$")
        aw.started(2)
        # In-place rewrite (no rename) too.
        with zipfile.ZipFile(self.app / "lib.zip", "w") as z:
            z.writestr("zmod.py", "V = 3  # longer\n")
        aw.expect_change("lib.zip")
        aw.expect_out("^zmod 3$")
        aw.started(3)

    def test_pth_via_addsitedir(self):
        self.write("app/site/extra.pth", str(self.app / "libA") + "\n")
        self.write("app/libA/pthmod.py", "WHERE = 'A'\n")
        self.write("app/libB/pthmod.py", "WHERE = 'B'\n")
        self.write_app({"main.py": (
            "import site\n"
            "site.addsitedir(os.path.join(os.path.dirname(__file__), 'site'))\n"
            "import pthmod\nprint('pth', pthmod.WHERE, flush=True)\n" + APP_READY)})
        aw = self.start()
        aw.expect_out("^pth A$")
        aw.started(1)
        self.write("app/site/extra.pth", str(self.app / "libB") + "\n# now B\n")
        aw.expect_change("extra.pth")
        aw.expect_out("^pth B$")
        aw.started(2)
        self.sentinel(aw, "app/libB/pthmod.py", 3)

    def test_config_file_read_with_open(self):
        self.write("app/config.json", '{"greeting": "hello"}')
        self.write("app/settings.toml", 'x = 1\n')
        self.write_app({"main.py": (
            "import json\nd = os.path.dirname(__file__)\n"
            "cfg = json.load(open(os.path.join(d, 'config.json')))\n"
            "open(os.path.join(d, 'settings.toml')).read()\n"
            "print('greeting', cfg['greeting'], flush=True)\n" + APP_READY)})
        aw = self.start()
        aw.expect_out("^greeting hello$")
        aw.started(1)
        self.write("app/config.json", '{"greeting": "bonjour"}')
        aw.expect_change("config.json")
        aw.expect_out("^greeting bonjour$")
        aw.started(2)
        self.write("app/settings.toml", 'x = 22\n')
        aw.expect_change("settings.toml")
        aw.started(3)

    def test_importlib_resources_data(self):
        self.write_app({"main.py": (
            "import importlib.resources\n"
            "t = importlib.resources.files('respkg').joinpath('data.json').read_text()\n"
            "print('data', t.strip(), flush=True)\n" + APP_READY),
            "respkg/__init__.py": "",
            "respkg/data.json": '"one"\n'})
        aw = self.start()
        aw.expect_out('^data "one"$')
        aw.started(1)
        self.write("app/respkg/data.json", '"two!"\n')
        aw.expect_change("data.json")
        aw.expect_out('^data "two!"$')
        aw.started(2)

    def build_so(self, value):
        src = self.state / "ext.c"
        src.write_text("int answer(void) { return %d; }\n" % value)
        r = subprocess.run(["cc", "-shared", "-fPIC", "-o", str(self.app / "libext.so"), str(src)],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))

    def test_ctypes_cdll_rebuild_restarts(self):
        if not have_cc():
            self.skipTest("no cc")
        self.build_so(41)
        self.write_app({"main.py": (
            "import ctypes\n"
            "lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'libext.so'))\n"
            "print('answer', lib.answer(), flush=True)\n" + APP_READY)})
        aw = self.start()
        aw.expect_out("^answer 41$")
        aw.started(1)
        self.build_so(42)
        aw.expect_change("libext.so")
        aw.expect_out("^answer 42$")
        aw.started(2)

    def test_subprocess_close_fds_and_empty_env(self):
        self.write_app({"main.py": (
            "import subprocess\nd = os.path.dirname(os.path.abspath(__file__))\n"
            "r1 = subprocess.run([sys.executable, os.path.join(d, 'child1.py')], close_fds=True)\n"
            "r2 = subprocess.run([sys.executable, os.path.join(d, 'child2.py')], close_fds=True,"
            " env={})\n"
            "print('children', r1.returncode, r2.returncode, flush=True)\n" + APP_READY),
            "child1.py": "import sys, os\nsys.path.insert(0, os.path.dirname(__file__))\n"
                         "import cmod1\nprint('child1 ok', flush=True)\n",
            "child2.py": "import sys, os\nsys.path.insert(0, os.path.dirname(__file__))\n"
                         "import cmod2\nprint('child2 ok', flush=True)\n",
            "cmod1.py": "", "cmod2.py": ""})
        aw = self.start()
        aw.expect_out("^children 0 0$")
        aw.started(1)
        self.edit_py("app/cmod1.py")   # imported only by the close_fds child
        aw.expect_change("cmod1.py")
        aw.started(2)
        self.edit_py("app/cmod2.py")   # imported only by the env={} child
        aw.expect_change("cmod2.py")
        aw.started(3)
        self.edit_py("app/child2.py")  # the env={} child's script itself
        aw.expect_change("child2.py")
        aw.started(4)
        self.assertEqual(self.starts(), 4)

    def test_fork_without_exec(self):
        self.write_app({"main.py": (
            "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    import forkmod\n"
            "    import json\n"
            "    json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)),"
            " 'forkcfg.json')))\n"
            "    os._exit(0)\n"
            "os.waitpid(pid, 0)\n" + APP_READY),
            "forkmod.py": "", "forkcfg.json": "{}"})
        aw = self.start()
        aw.started(1)
        self.edit_py("app/forkmod.py")
        aw.expect_change("forkmod.py")
        aw.started(2)
        self.write("app/forkcfg.json", '{"a": 1}')
        aw.expect_change("forkcfg.json")
        aw.started(3)

    def test_eight_threads_importing_at_once(self):
        files = {"tmods/t%d.py" % i: "import time\nV = %d\n" % i for i in range(8)}
        files["main.py"] = (
            "import threading, importlib\n"
            "sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tmods'))\n"
            "b = threading.Barrier(8)\n"
            "def run(i):\n"
            "    b.wait()\n"
            "    importlib.import_module('t%d' % i)\n"
            "    open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'c%d.json' % i)).read()\n"
            "ts = [threading.Thread(target=run, args=(i,)) for i in range(8)]\n"
            "[t.start() for t in ts]\n[t.join() for t in ts]\n"
            "print('threads done', flush=True)\n")
        for i in range(8):
            files["c%d.json" % i] = "{}"
        self.write_app(files)
        # -o: the program's own print shares stdout and may land inside a line
        lst = self.tmp / "list.txt"
        rc, out, err = self.run_aw(["--list", "-o", str(lst), "--", PY, "app/main.py"])
        self.assertEqual(rc, 0, err)
        listed = lst.read_text().splitlines()
        for i in range(8):
            self.assertIn(str(self.app / "tmods" / ("t%d.py" % i)), listed, err)
            self.assertIn(str(self.app / ("c%d.json" % i)), listed, err)
        # And under the supervisor, each of them restarts the app.
        files["main.py"] += APP_READY
        self.write_app({"main.py": files["main.py"]})
        aw = self.start()
        aw.started(1)
        self.edit_py("app/tmods/t5.py")
        aw.expect_change("t5.py")
        aw.started(2)


if __name__ == "__main__":
    main()
