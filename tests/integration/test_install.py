"""`cmake --install` to a prefix gives an autowrap that finds its own installed
shim (no AUTOWRAP_LIB, no build tree next to it), and puts the man page, the
bash and zsh completions and the docs where man, bash-completion and zsh look
under that prefix."""

from harness import *


class TestInstall(AWTestCase):

    def install(self, prefix):
        build = Path(BIN).resolve().parent.parent
        r = subprocess.run(["cmake", "--install", str(build), "--prefix", str(prefix)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout.decode(errors="replace"))

    def test_installed_autowrap_finds_installed_shim(self):
        prefix = self.tmp / "prefix"
        self.install(prefix)
        exe = prefix / "bin" / "autowrap"
        shims = list(prefix.glob("lib*/**/autowrap/libtrack.so"))
        self.assertEqual(len(shims), 1, "installed shim: %s" % shims)
        self.assertTrue((prefix / "share" / "man" / "man1" / "autowrap.1").is_file())
        self.write("app/mod.py", "X = 1\n")
        self.write("app/main.py", "import mod\nprint(open('/proc/self/maps').read())\n")
        env = self.env()
        env.pop("AUTOWRAP_LIB", None)
        deps = self.state / "deps.txt"
        p = subprocess.run([str(exe), "--list", "-o", str(deps), "--", PY, "app/main.py"],
                           cwd=str(self.tmp), env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=T)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        listed = deps.read_text().splitlines()
        self.assertIn(str(self.tmp / "app" / "mod.py"), listed)
        self.assertNotIn(str(shims[0]), listed, "the shim listed itself")
        self.assertIn(str(shims[0].resolve()), p.stdout.decode(),
                      "the program did not map the installed shim")

    def test_man_page_completions_and_docs(self):
        prefix = self.tmp / "usr local"  # a prefix with a space: files only
        self.install(prefix)
        share = prefix / "share"
        pairs = [(share / "man/man1/autowrap.1", "docs/autowrap.1"),
                 (share / "bash-completion/completions/autowrap", "completions/autowrap.bash"),
                 (share / "doc/autowrap/README.md", "README.md"),
                 (share / "doc/autowrap/examples/app.py", "examples/app.py")]
        pairs += [(share / "doc/autowrap" / p.name, "docs/" + p.name)
                  for p in (REPO / "docs").glob("*.md")]
        # zsh: site-functions for a local prefix, vendor-completions for /usr
        zsh = list(share.glob("zsh/*/_autowrap"))
        self.assertEqual(len(zsh), 1, zsh)
        self.assertIn(zsh[0].parent.name, ("site-functions", "vendor-completions"))
        pairs.append((zsh[0], "completions/_autowrap"))
        for inst, src in pairs:
            self.assertTrue(inst.is_file(), "not installed: %s" % inst)
            self.assertEqual(inst.read_bytes(), (REPO / src).read_bytes(), str(inst))


if __name__ == "__main__":
    main()
