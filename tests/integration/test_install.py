"""`cmake --install` to a prefix gives an autowrap that finds its own installed
shim (no AUTOWRAP_LIB, no build tree next to it), and the man page."""

from harness import *


class TestInstall(AWTestCase):

    def test_installed_autowrap_finds_installed_shim(self):
        build = Path(BIN).resolve().parent.parent
        prefix = self.tmp / "prefix"
        r = subprocess.run(["cmake", "--install", str(build), "--prefix", str(prefix)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout.decode(errors="replace"))
        exe = prefix / "bin" / "autowrap"
        shims = list(prefix.glob("lib*/**/autowrap/libtrack.so"))
        self.assertEqual(len(shims), 1, "installed shim: %s" % shims)
        self.assertTrue((prefix / "share" / "man" / "man1" / "autowrap.1").is_file())
        self.write("app/mod.py", "X = 1\n")
        self.write("app/main.py", "import mod\n")
        env = self.env()
        env.pop("AUTOWRAP_LIB", None)
        p = subprocess.run([str(exe), "--list", "--", "/usr/bin/python3", "app/main.py"],
                           cwd=str(self.tmp), env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=T)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        listed = p.stdout.decode().splitlines()
        self.assertIn(str(self.tmp / "app" / "mod.py"), listed)
        self.assertNotIn(str(shims[0]), listed, "the shim listed itself")


if __name__ == "__main__":
    main()
