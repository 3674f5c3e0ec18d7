"""Integration tests of libtrack.so alone, through AUTOWRAP_TRACE (no supervisor).

Environment (set by CTest): AUTOWRAP_SHIM, AUTOWRAP_PROGS, AUTOWRAP_SANITIZED.
Python standard library only; every subprocess has a timeout.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_BUILD = REPO / os.environ.get("AUTOWRAP_BUILD", "build")
SHIM = os.environ.get("AUTOWRAP_SHIM") or str(_BUILD / "preload" / "libtrack.so")
PROGS = os.environ.get("AUTOWRAP_PROGS") or str(_BUILD / "tests" / "progs")
SANITIZED = os.environ.get("AUTOWRAP_SANITIZED", "").strip().lower() in (
    "1", "true", "on", "yes", "y")
PY = "/usr/bin/python3"
TIMEOUT = 120 if SANITIZED else 30


def progpath(tc, name):
    """The helper program tests/progs/NAME as built, or skip tc's test."""
    p = Path(PROGS) / name
    if not p.exists():
        tc.skipTest(f"{p} not built")
    return str(p)


def _preload():
    if not SANITIZED:
        return SHIM
    asan = subprocess.run(["gcc", "-print-file-name=libasan.so"], capture_output=True,
                          text=True, timeout=30).stdout.strip()
    return os.path.realpath(asan) + ":" + SHIM


def real_python3():
    """The real python3 on PATH (it may be a pyenv bash shim)."""
    try:
        out = subprocess.run(["python3", "-c", "import sys; print(sys.executable)"],
                             capture_output=True, text=True, timeout=TIMEOUT).stdout.strip()
        if out and os.path.exists(out):
            return out
    except (OSError, subprocess.TimeoutExpired):
        pass
    return PY


class ShimCase(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="aw-shim-")).resolve()
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def write(self, rel, text):
        p = self.tmp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return p

    def trace(self, argv, env=None, cwd=None, check=True, timeout=TIMEOUT):
        """Run ARGV under the shim; return (list of trace lines, completed process)."""
        out = self.tmp / "trace.txt"
        if out.exists():
            out.unlink()
        e = dict(os.environ)
        e.pop("PYTHONDONTWRITEBYTECODE", None)
        e.pop("AUTOWRAP_SOCK", None)
        e.pop("AUTOWRAP_EXT", None)
        e.pop("AUTOWRAP_ALL", None)
        e.update(env or {})
        e["LD_PRELOAD"] = _preload()
        e["AUTOWRAP_TRACE"] = str(out)
        if SANITIZED:
            e["ASAN_OPTIONS"] = "detect_leaks=0:verify_asan_link_order=0"
        p = subprocess.run(argv, env=e, cwd=str(cwd or self.tmp), capture_output=True,
                           text=True, timeout=timeout)
        if check:
            self.assertEqual(p.returncode, 0, f"{argv}: rc={p.returncode}\n{p.stdout}\n{p.stderr}")
        lines = out.read_text().splitlines() if out.exists() else []
        return lines, p

    def assertListed(self, lines, path):
        self.assertIn(str(path), lines, "\n".join(lines[-60:]))

    def assertNotListed(self, lines, path):
        self.assertNotIn(str(path), lines)


class PythonTests(ShimCase):
    def test_module_import_listed(self):
        mod = self.write("mymod.py", "X = 1\n")
        app = self.write("app.py", "import mymod\nprint(mymod.X)\n")
        for py in (PY, real_python3()):
            with self.subTest(python=py):
                lines, p = self.trace([py, str(app)])
                self.assertEqual(p.stdout.strip(), "1")
                self.assertListed(lines, mod)
                self.assertListed(lines, app)
                self.assertTrue(any(l.endswith("python3") or "/python3." in l for l in lines))

    def test_py_listed_when_pyc_valid(self):
        mod = self.write("cached.py", "Y = 2\n")
        app = self.write("app.py", "import cached\n")
        self.trace([PY, str(app)])  # writes __pycache__/cached.*.pyc
        self.assertTrue(list((self.tmp / "__pycache__").glob("cached.*.pyc")))
        lines, _ = self.trace([PY, str(app)])
        self.assertListed(lines, mod)
        self.assertFalse([l for l in lines if l.endswith(".pyc")])

    def test_zip_import_lists_zip(self):
        z = self.tmp / "lib.zip"
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("zipped.py", "Z = 3\n")
        app = self.write("app.py", "import sys\nsys.path.insert(0, %r)\nimport zipped\n"
                         "print(zipped.Z)\n" % str(z))
        lines, p = self.trace([PY, str(app)], env={"AUTOWRAP_EXT": "py,zip"})
        self.assertEqual(p.stdout.strip(), "3")
        self.assertListed(lines, z)

    def test_config_json_read_listed_written_not(self):
        cfg = self.write("conf/settings.json", '{"a": 1}\n')
        out = self.tmp / "out.json"
        app = self.write("app.py", "import json\n"
                         "print(json.load(open('conf/settings.json'))['a'])\n"
                         "open('out.json', 'w').write('{}')\n")
        lines, p = self.trace([PY, str(app)])
        self.assertEqual(p.stdout.strip(), "1")
        self.assertListed(lines, cfg)
        self.assertNotListed(lines, out)

    def test_subprocess_closefds_empty_env(self):
        child_mod = self.write("childmod.py", "C = 4\n")
        app = self.write("app.py", "import subprocess, sys\n"
                         "subprocess.run([%r, '-c', 'import childmod'], close_fds=True,\n"
                         "               env={}, check=True, cwd=%r)\n" % (PY, str(self.tmp)))
        lines, _ = self.trace([PY, str(app)])
        self.assertListed(lines, child_mod)

    def test_env_reinjected_system_spawn_popen(self):
        mods = [self.write(f"m_{n}.py", "") for n in ("system", "spawn", "popen", "execvp")]
        app = self.write("app.py", f'''import os, subprocess
os.system("env -i {PY} -c 'import m_system'")
pid = os.posix_spawn({PY!r}, [{PY!r}, "-c", "import m_spawn"], {{}})
os.waitpid(pid, 0)
os.popen("env -i {PY} -c 'import m_popen'").read()
pid = os.fork()
if pid == 0:
    os.execvpe("python3", ["python3", "-c", "import m_execvp"], {{"PATH": "/usr/bin"}})
os.waitpid(pid, 0)
''')
        lines, _ = self.trace([PY, str(app)])
        for m in mods:
            self.assertListed(lines, m)
        self.assertIn("/usr/bin/env", lines)
        self.assertIn("/usr/bin/python3", lines)

    def test_extension_deps_and_ctypes(self):
        libb = Path(PROGS) / "rpath" / "librpb.so"
        if not libb.exists():
            self.skipTest("librpb.so not built")
        app = self.write("app.py", "import ssl, ctypes\n"
                         "ctypes.CDLL(%r)\nctypes.CDLL('libz.so.1')\n" % str(libb))
        lines, _ = self.trace([PY, str(app)])
        self.assertListed(lines, libb)
        self.assertTrue([l for l in lines if "/_ssl." in l], lines)
        self.assertTrue([l for l in lines if l.endswith("/libssl.so.3")], lines)
        self.assertTrue([l for l in lines if l.endswith("/libz.so.1")], lines)

    def test_ext_and_all(self):
        txt = self.write("notes.txt", "x")
        mod = self.write("m.py", "")
        app = self.write("app.py", "import m\nopen('notes.txt').read()\n")
        lines, _ = self.trace([PY, str(app)])
        self.assertNotListed(lines, txt)
        lines, _ = self.trace([PY, str(app)], env={"AUTOWRAP_ALL": "1"})
        self.assertListed(lines, txt)
        lines, _ = self.trace([PY, str(app)], env={"AUTOWRAP_EXT": ".txt"})
        self.assertListed(lines, txt)
        self.assertNotListed(lines, mod)

    def test_relative_paths_and_chdir(self):
        sub = self.write("sub/conf.toml", "a=1\n")
        other = self.write("other/x.json", "{}")
        app = self.write("app.py", "import os\n"
                         "os.chdir('sub')\n"
                         "open('./conf.toml').read()\n"
                         "open('../other//./x.json').read()\n"
                         "d = os.open('..', os.O_RDONLY)\n"
                         "os.stat('other/x.json', dir_fd=d)\n")
        lines, _ = self.trace([PY, str(app)])
        self.assertListed(lines, sub)
        self.assertListed(lines, other)

    def test_chdir_in_a_vfork_child_is_not_the_parents(self):
        # Python's subprocess with cwd= calls chdir() in a vfork child, which
        # shares the parent's memory (the shim's cwd cache with it): the
        # parent's relative paths must still resolve against its own cwd.
        mine = self.write("rel.json", "{}")
        theirs = self.write("sub/rel.json", "{}")
        app = self.write("app.py", "import subprocess\n"
                         "subprocess.run(['/bin/true'], cwd='sub', check=True)\n"
                         "open('rel.json').read()\n")
        lines, _ = self.trace([PY, str(app)])
        self.assertListed(lines, mine)
        self.assertNotListed(lines, theirs)

    def test_missing_and_written_not_in_trace(self):
        app = self.write("app.py", "import os\n"
                         "os.path.exists('nothere.py')\n"
                         "open('log.txt', 'w').write('x')\n")
        lines, _ = self.trace([PY, str(app)], env={"AUTOWRAP_ALL": "1"})
        self.assertNotListed(lines, self.tmp / "nothere.py")
        self.assertNotListed(lines, self.tmp / "log.txt")
        self.assertListed(lines, app)


class OtherLanguages(ShimCase):
    def test_bash_source(self):
        lib = self.write("lib.sh", "greet() { echo hi; }\n")
        main = self.write("main.sh", "source ./lib.sh\ngreet\n")
        lines, p = self.trace(["/bin/bash", str(main)])
        self.assertEqual(p.stdout.strip(), "hi")
        self.assertListed(lines, lib)
        self.assertListed(lines, main)

    @unittest.skipUnless(shutil.which("perl"), "no perl")
    def test_perl_use_lib(self):
        pm = self.write("lib/My/Mod.pm", "package My::Mod; sub v { 5 } 1;\n")
        pl = self.write("main.pl", "use lib 'lib'; use My::Mod; print My::Mod::v(), \"\\n\";\n")
        lines, p = self.trace(["perl", str(pl)])
        self.assertEqual(p.stdout.strip(), "5")
        self.assertListed(lines, pm)
        self.assertListed(lines, pl)


class CPrograms(ShimCase):
    def prog(self, name):
        return progpath(self, name)

    # The ASan runtime's own dlopen interceptor calls the loader from inside
    # libasan, so $ORIGIN lookups fail in a sanitized build even without the
    # shim (checked: same "cannot open shared object file" with only libasan).
    @unittest.skipIf(SANITIZED, "ASan's dlopen interceptor breaks RUNPATH by itself")
    def test_runpath_dlopen(self):
        liba = Path(PROGS) / "rpath" / "librpa.so"
        libb = Path(PROGS) / "rpath" / "librpb.so"
        exe = self.prog("dlopen_runpath")
        lines, p = self.trace([exe, str(liba)])
        self.assertEqual(p.stdout.strip(), "42", p.stderr)
        self.assertListed(lines, liba)
        self.assertListed(lines, libb)

    def test_threads_and_fork_once(self):
        files = [self.write("a.json", "1"), self.write("b.py", "2"), self.write("c.toml", "3")]
        exe = self.prog("stat_threads")
        lines, _ = self.trace([exe] + [str(f) for f in files])
        for f in files:
            self.assertEqual(lines.count(str(f)), 1, lines)

    def test_old_glibc_xstat_entry_points(self):
        a = self.write("a.json", "{}")
        t = self.write("t.toml", "x")
        exe = self.prog("old_xstat")
        lines, p = self.trace([exe, str(a), str(self.tmp / "nope.py"), "t.toml"])
        self.assertEqual(p.stdout.strip(), "1")
        self.assertListed(lines, a)
        self.assertListed(lines, t)

    def test_errno_preserved(self):
        self.write("present.py", "x")
        exe = self.prog("errno_check")
        lines, p = self.trace([exe, str(self.tmp)])
        self.assertEqual(p.stdout.strip(), "ok")
        self.assertListed(lines, self.tmp / "present.py")
        self.assertNotListed(lines, self.tmp / "missing.py")
        self.assertNotListed(lines, self.tmp / "written.py")

    def test_trace_stderr(self):
        mod = self.write("m.py", "")
        e = dict(os.environ, LD_PRELOAD=_preload(), AUTOWRAP_TRACE="-")
        if SANITIZED:
            e["ASAN_OPTIONS"] = "detect_leaks=0:verify_asan_link_order=0"
        p = subprocess.run([PY, "-c", "import m"], env=e, cwd=str(self.tmp),
                           capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(str(mod), p.stderr.splitlines())

    def test_no_output_without_env(self):
        e = dict(os.environ, LD_PRELOAD=_preload())
        e.pop("AUTOWRAP_TRACE", None)
        e.pop("AUTOWRAP_SOCK", None)
        if SANITIZED:
            e["ASAN_OPTIONS"] = "detect_leaks=0:verify_asan_link_order=0"
        p = subprocess.run([PY, "-c", "print('x')"], env=e, capture_output=True, text=True,
                           timeout=TIMEOUT)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "x\n", ""))


if __name__ == "__main__":
    unittest.main(verbosity=2)
