"""The Debian package that `make deb` builds.

Its metadata and contents (dpkg-deb -I, -c); the demo run from its files after
dpkg-deb -x (any user): the packaged autowrap, with no AUTOWRAP_LIB, preloads the
packaged shim into a copy of the packaged example app and restarts it once per
edit. As root, also dpkg -i into the system, the same demo from /usr/bin/autowrap,
the man page, bash and zsh completions found where man, bash-completion and zsh
look, then dpkg -r leaves none of the package's files. The package is built once
per run of this file, in BUILD/deb (incremental on a second run)."""

import fcntl

from harness import *

EXAMPLES = "usr/share/doc/autowrap/examples"
SHIM_RX = r"^/usr/lib/(?:[^/]+/)?autowrap/libtrack\.so$"


def clean_env():
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


class TestDeb(AWTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if SANITIZED:
            raise unittest.SkipTest("the package is built without sanitizers, from the same "
                                    "sources: the default build's run of this test covers it")
        for tool in ("dpkg-deb", "make", "cmake", "cpack"):
            if not shutil.which(tool):
                raise unittest.SkipTest("%s is not installed (tests/setup.sh installs it)" % tool)
        cls.debdir = Path(BIN).resolve().parent.parent / "deb"
        p = subprocess.run(["make", "-s", "-C", str(REPO), "deb", "BUILD_DEB=%s" % cls.debdir],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600,
                           env=clean_env())
        out = p.stdout.decode(errors="replace")
        if p.returncode != 0:
            raise AssertionError("make deb failed:\n" + out[-4000:])
        debs = sorted(cls.debdir.glob("*.deb"))
        if len(debs) != 1:
            raise AssertionError("make deb left %s in %s:\n%s" % (debs, cls.debdir, out[-2000:]))
        cls.deb = debs[0]
        c = subprocess.run(["dpkg-deb", "-c", str(cls.deb)], stdout=subprocess.PIPE, check=True,
                           timeout=T)
        # "-rwxr-xr-x root/root 97312 2026-12-03 11:05 ./usr/bin/autowrap"
        cls.entries = {}
        for line in c.stdout.decode().splitlines():
            f = line.split(None, 5)
            cls.entries[f[5][1:].rstrip("/") or "/"] = f[0]
        cls.files = sorted(p for p, mode in cls.entries.items() if mode.startswith("-"))

    def field(self, name):
        p = subprocess.run(["dpkg-deb", "-f", str(self.deb), name], stdout=subprocess.PIPE,
                           check=True, timeout=T)
        return p.stdout.decode().strip()

    def test_metadata(self):
        self.assertEqual(self.field("Package"), "autowrap")
        p = subprocess.run([BIN, "--version"], stdout=subprocess.PIPE, timeout=T)
        self.assertEqual("autowrap " + self.field("Version"), p.stdout.decode().strip())
        arch = subprocess.run(["dpkg", "--print-architecture"], stdout=subprocess.PIPE,
                              timeout=T).stdout.decode().strip()
        self.assertEqual(self.field("Architecture"), arch)
        self.assertRegex(self.field("Depends"), r"^libc6\b")
        self.assertTrue(self.field("Maintainer"))
        self.assertIn("restart a program when a file it actually loaded changes",
                      self.field("Description"))
        self.assertEqual(self.field("Section"), "devel")
        self.assertEqual(self.deb.name, "autowrap_%s_%s.deb" % (self.field("Version"), arch))

    def test_contents(self):
        files = set(self.files)
        self.assertEqual(self.entries.get("/usr/bin/autowrap"), "-rwxr-xr-x")
        shims = [f for f in files if re.match(SHIM_RX, f)]
        self.assertEqual(len(shims), 1, self.files)
        want = {"/usr/share/man/man1/autowrap.1",
                "/usr/share/bash-completion/completions/autowrap",
                "/usr/share/zsh/vendor-completions/_autowrap",
                "/usr/share/doc/autowrap/README.md"}
        want |= {"/usr/share/doc/autowrap/" + p.name for p in (REPO / "docs").glob("*.md")}
        want |= {"/" + EXAMPLES + "/" + n for n in ("app.py", "greeting.py", "config.json")}
        self.assertEqual(want - files, set(), "missing from the package")
        self.assertEqual([f for f in files if not f.startswith("/usr/") or
                          f.startswith("/usr/local/")], [], "outside /usr")
        for f in files:
            self.assertRegex(self.entries[f], r"^-rw[x-]r-[x-]r-[x-]$", f)

    def extract(self):
        root = self.tmp / "root"
        subprocess.run(["dpkg-deb", "-x", str(self.deb), str(root)], check=True, timeout=T)
        return root

    def test_extracted_files_are_the_sources(self):
        root = self.extract()
        for inst, src in (("usr/share/man/man1/autowrap.1", "docs/autowrap.1"),
                          ("usr/share/bash-completion/completions/autowrap",
                           "completions/autowrap.bash"),
                          ("usr/share/zsh/vendor-completions/_autowrap", "completions/_autowrap"),
                          (EXAMPLES + "/app.py", "examples/app.py")):
            self.assertEqual((root / inst).read_bytes(), (REPO / src).read_bytes(), inst)
        # The completion directories are the ones bash-completion and zsh search.
        if shutil.which("pkg-config"):
            p = subprocess.run(["pkg-config", "--variable=completionsdir", "bash-completion"],
                               stdout=subprocess.PIPE, timeout=T)
            if p.returncode == 0:
                self.assertEqual(p.stdout.decode().strip(),
                                 "/usr/share/bash-completion/completions")
        if shutil.which("zsh"):
            p = subprocess.run(["zsh", "-fc", "print -l $fpath"], stdout=subprocess.PIPE,
                               timeout=T)
            self.assertIn("/usr/share/zsh/vendor-completions", p.stdout.decode().splitlines())

    def demo(self, exe, examples, shim):
        """The demo from the package's files: a copy of the example app under exe
        (no AUTOWRAP_LIB), shim preloaded, one restart per edit."""
        demo = self.tmp / "demo"
        shutil.copytree(str(examples), str(demo))
        env = self.env()
        env.pop("AUTOWRAP_LIB", None)
        aw = self.start(cmd=[PY, str(demo / "app.py")], env=env, exe=str(exe))

        def generation(n, greeting):
            aw.generation(n)
            pid = int(aw.expect_out(r"^%s \(pid (\d+)\)$" % re.escape(greeting)).group(1))
            aw.seen_pids.add(pid)
            with open("/proc/%d/maps" % pid) as f:
                maps = f.read()
            self.assertIn(str(shim), maps, "generation %d does not map %s" % (n, shim))
            return pid

        p1 = generation(1, "Hello, world!")
        with open(demo / "greeting.py", "a") as f:
            f.write("# edited\n")
        aw.expect_change("greeting.py")
        p2 = generation(2, "Hello, world!")
        self.assertNotEqual(p1, p2)
        # Exactly one restart for that edit: the next change is this one.
        (demo / "config.json").write_text('{"name": "deb", "tick_seconds": 0}\n')
        m = aw.expect_change("config.json")
        self.assertIsNone(m.group("more"), m.group(0))
        generation(3, "Hello, deb!")
        rest = [l for l in aw.err.pending() if "starting generation" in l]
        self.assertEqual(rest, [], aw.context())

    def test_demo_from_extracted_package(self):
        root = self.extract()
        shim = root / next(f for f in self.files if re.match(SHIM_RX, f)).lstrip("/")
        self.demo(root / "usr/bin/autowrap", root / EXAMPLES, shim)

    # -- dpkg -i into the system (root only) -------------------------------
    def lock(self):
        d = "/run/lock" if os.path.isdir("/run/lock") else tempfile.gettempdir()
        f = open(os.path.join(d, "autowrap-test-deb.lock"), "w")
        self.addCleanup(f.close)  # first added, last run: after dpkg -r
        deadline = time.monotonic() + 300
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.fail("another run of test_deb held %s for 300 s" % f.name)
                time.sleep(0.1)

    def dpkg(self, *args):
        """dpkg --no-triggers ARGS, waiting (bounded) while another dpkg or apt holds
        its lock. --no-triggers: man-db's trigger (a mandb rescan, 5 s or more on a
        busy machine, for each of -i and -r) stays pending for the next dpkg or apt
        run; man finds the page without its index."""
        env = clean_env()
        env["DEBIAN_FRONTEND"] = "noninteractive"
        deadline = time.monotonic() + 300
        while True:
            p = subprocess.run(["dpkg", "--no-triggers"] + list(args), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env=env, timeout=120)
            out = p.stdout.decode(errors="replace")
            if p.returncode == 0 or "lock" not in out or time.monotonic() > deadline:
                return p.returncode, out
            time.sleep(0.2)

    def installed(self):
        p = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "autowrap"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=T)
        return p.returncode == 0 and p.stdout.decode().endswith(" installed")

    def test_dpkg_install_run_remove(self):
        if os.geteuid() != 0:
            self.skipTest("dpkg -i needs root (the package was still built, checked with "
                          "dpkg-deb -I/-c and run from dpkg-deb -x)")
        self.lock()
        if self.installed():
            self.skipTest("a package named autowrap is already installed; not replacing it "
                          "(dpkg -r autowrap to let this test install its own)")
        rc, out = self.dpkg("-i", str(self.deb))
        self.addCleanup(self.dpkg, "-r", "autowrap")
        self.assertEqual(rc, 0, out)
        self.assertTrue(self.installed())
        for f in self.files:
            self.assertTrue(os.path.isfile(f), f)
        if shutil.which("man"):
            p = subprocess.run(["man", "-w", "autowrap"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=T)
            self.assertEqual(p.stdout.decode().strip(), "/usr/share/man/man1/autowrap.1",
                             p.stderr.decode())
        bc = "/usr/share/bash-completion/bash_completion"
        if os.path.isfile(bc):
            p = subprocess.run(["bash", "--norc", "-c", ". %s; __load_completion autowrap; "
                                "complete -p autowrap" % bc], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=T, env={"PATH": "/usr/bin:/bin"})
            self.assertIn("-F _autowrap", p.stdout.decode(), p.stderr.decode())
        if shutil.which("zsh"):
            p = subprocess.run(["zsh", "-fc", "autoload -Uz _autowrap && "
                                "print -r -- $functions_source[_autowrap]"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=T)
            if p.stdout.strip():  # $functions_source needs zsh/parameter (zsh >= 5.4)
                self.assertEqual(p.stdout.decode().strip(),
                                 "/usr/share/zsh/vendor-completions/_autowrap")
            else:
                p = subprocess.run(["zsh", "-fc", "print -l $^fpath/_autowrap(N)"],
                                   stdout=subprocess.PIPE, timeout=T)
                self.assertIn("/usr/share/zsh/vendor-completions/_autowrap",
                              p.stdout.decode().splitlines())
        shim = next(f for f in self.files if re.match(SHIM_RX, f))
        self.demo("/usr/bin/autowrap", "/" + EXAMPLES, shim)
        rc, out = self.dpkg("-r", "autowrap")
        self.assertEqual(rc, 0, out)
        self.assertFalse(self.installed())
        self.assertEqual([f for f in self.files if os.path.lexists(f)], [],
                         "files left after dpkg -r")


if __name__ == "__main__":
    main()
