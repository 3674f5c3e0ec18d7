"""musl-linked programs: libtrack-musl.so sees their file-level calls (musl's
fopen/opendir call its internal open directly, and it has no __xstat or
__*_2 names), the supervisor picks that flavour for a musl COMMAND, and an
exec across libcs (musl -> glibc /bin/sh script, glibc sh -> musl) hands over
the other flavour so neither loader refuses to start the program."""

from harness import *

MUSL = os.path.join(PROGS, "musl")
DEPS = os.path.join(MUSL, "musl_deps")
LIB = os.path.join(MUSL, "libmusl_lib.so")
MUSL_SHIM = os.path.join(os.path.dirname(SHIM), "libtrack-musl.so")


@unittest.skipUnless(shutil.which("musl-gcc"),
                     "musl-gcc not installed (Debian: apt-get install musl-tools; "
                     "tests/setup.sh does it)")
class TestMusl(AWTestCase):

    def setUp(self):
        super().setUp()
        for p in (DEPS, LIB, MUSL_SHIM):
            self.assertTrue(os.path.exists(p), "musl-gcc is installed but %s was not built" % p)
        self.write("app/r.json", "{}")
        self.write("app/s.json", "{}")
        self.write("app/o.py", "X = 1\n")
        (self.app / "d").mkdir()
        self.write("app/run.sh", "#!/bin/sh\necho script ran\n", mode=0o755)
        self.args = [DEPS, "app/r.json", "app/s.json", "app/o.py", "app/missing.json",
                     "app/d", LIB]

    def records(self, out):
        return {(r["path"], r["kind"]) for r in map(json.loads, out.splitlines())
                if r.get("path")}

    def list_json(self, cmd):
        rc, out, err = self.run_aw(["--list", "--format", "json", "-o",
                                    str(self.state / "deps")] + ["--"] + cmd)
        self.assertEqual(rc, 0, "stdout:\n%s\nstderr:\n%s" % (out, err))
        return out, self.records((self.state / "deps").read_text())

    def assert_musl_deps(self, recs, ctx):
        a = str(self.app)
        for want in ((a + "/r.json", "read"), (a + "/s.json", "stat"), (a + "/o.py", "read"),
                     (a + "/missing.json", "missing"), (a + "/d", "listed"),
                     (DEPS, "exec"), (LIB, "lib")):
            self.assertIn(want, recs, "%s not reported:\n%s" % (want, ctx))
        self.assertFalse(any(p == MUSL_SHIM or p == SHIM for p, _ in recs), ctx)

    def test_list_sees_every_call_of_a_musl_program(self):
        out, recs = self.list_json(self.args)
        self.assertIn("musl_deps ok", out)
        self.assert_musl_deps(recs, "\n".join(sorted(map(str, recs))))
        self.assertTrue(any("ld-musl" in p and k == "lib" for p, k in recs), recs)

    @unittest.skipIf(SANITIZED, "the ASan shim needs its runtime first in LD_PRELOAD; the "
                     "musl flavour hands over the bare glibc shim")
    def test_musl_program_execs_a_shell_script(self):
        out, recs = self.list_json(self.args + [str(self.app / "run.sh")])
        self.assertIn("script ran", out, "the glibc /bin/sh did not start after a musl exec")
        ctx = "\n".join(sorted(map(str, recs)))
        self.assert_musl_deps(recs, ctx)
        self.assertIn((str(self.app / "run.sh"), "exec"), recs, ctx)
        # /bin/sh ran with the glibc shim: it reported its own loader's libc.
        self.assertTrue(any(p.endswith("/libc.so.6") and k == "lib" for p, k in recs), ctx)

    @unittest.skipIf(SANITIZED, "the sanitized /bin/sh side does not matter here")
    def test_glibc_shell_runs_a_musl_program(self):
        out, recs = self.list_json(["/bin/sh", "-c", " ".join(self.args)])
        self.assertIn("musl_deps ok", out)
        self.assert_musl_deps(recs, "\n".join(sorted(map(str, recs))))

    def test_change_to_a_file_fopened_by_musl_restarts(self):
        aw = self.start(cmd=self.args)
        aw.generation(1)
        aw.expect_out(r"^musl_deps ok$")
        aw.expect_err(EXIT_RX)
        self.write("app/r.json", '{"changed": 1}')
        aw.expect_change("r.json")
        aw.generation(2)
        aw.expect_out(r"^musl_deps ok$")
        aw.expect_err(EXIT_RX)
        # a file musl only opendir-ed or stat-ed is watched too
        self.write("app/s.json", '{"changed": 2}')
        aw.expect_change("s.json")
        aw.generation(3)


if __name__ == "__main__":
    main()
