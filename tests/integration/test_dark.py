"""Programs the shim cannot see: static binaries, raw system calls, setuid
programs. autowrap names the one that went dark, once per session
("PATH reported no dependencies: static or setuid program? use --watch"),
and --watch still restarts them."""

import pwd
import time

from harness import *

DARK_RX = (r"^\[autowrap\] (?P<name>.+) reported no dependencies: "
           r"static or setuid program\? use --watch$")

# Idles after READY; with a FILE argument prints its first line first.
READY_C = r'''
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    if (argc > 1) {
        char b[256] = "";
        FILE *f = fopen(argv[1], "r");
        if (f) {
            if (!fgets(b, sizeof b, f))
                b[0] = 0;
            fclose(f);
        }
        b[strcspn(b, "\n")] = 0;
        printf("CONF %s\n", b);
    }
    printf("READY %d\n", (int)getpid());
    fflush(stdout);
    for (;;)
        pause();
}
'''

# Reads FILE with raw system calls, as Go's runtime does; a second argument:
# exit instead of idling.
RAW_C = r'''
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    char b[256];
    long n = 0, fd = syscall(SYS_openat, AT_FDCWD, argv[1], O_RDONLY);
    if (fd >= 0) {
        n = syscall(SYS_read, fd, b, sizeof b - 1);
        syscall(SYS_close, fd);
    }
    b[n > 0 ? n : 0] = 0;
    b[strcspn(b, "\n")] = 0;
    printf("CONF %s\nREADY %d\n", b, (int)getpid());
    fflush(stdout);
    if (argc > 2)
        return 0;
    for (;;)
        pause();
}
'''

QUICK_C = "int main(void) { return 0; }\n"

# Dynamically linked; made setuid by the test. AT_SECURE: the loader ignored
# LD_PRELOAD.
SECURE_C = r'''
#include <stdio.h>
#include <sys/auxv.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    (void)argv;
    printf("SECURE %lu EUID %d\nREADY %d\n", getauxval(AT_SECURE), (int)geteuid(),
           (int)getpid());
    fflush(stdout);
    if (argc > 1)
        return 0;
    for (;;)
        pause();
}
'''

# The window after which a silent program is named (supervisor/dark.h), with
# room: the tests that prove a line is NOT said again wait this long first.
WINDOW = 1.5 * SCALE


@unittest.skipUnless(have_cc(), "needs a C compiler")
class TestDark(AWTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bins_dir = tempfile.TemporaryDirectory(prefix="aw-dark-bins-")
        cls.bins = Path(cls.bins_dir.name)
        cls.built = {}
        cls.static_error = None
        for name, src, static in (("ready", READY_C, True), ("raw", RAW_C, True),
                                  ("quick", QUICK_C, True), ("rawdyn", RAW_C, False),
                                  ("secure", SECURE_C, False)):
            c = cls.bins / (name + ".c")
            c.write_text(src)
            exe = cls.bins / name
            r = subprocess.run(["cc"] + (["-static"] if static else []) + ["-o", str(exe), str(c)],
                               capture_output=True)
            if r.returncode == 0:
                cls.built[name] = exe
            elif static and cls.static_error is None:
                cls.static_error = r.stderr.decode(errors="replace")[-300:]

    @classmethod
    def tearDownClass(cls):
        cls.bins_dir.cleanup()
        super().tearDownClass()

    def prog(self, name, rel=None):
        """Copy a built program into the app directory; skip if it could not be built."""
        if name not in self.built:
            self.skipTest("cannot link statically (tests/setup.sh installs libc6-dev): %s"
                          % self.static_error if name in ("ready", "raw", "quick")
                          else "cannot build " + name)
        dst = self.app / (rel or name)
        shutil.copy2(self.built[name], dst)
        return dst

    def dark_lines(self, aw):
        return [l for l in aw.err.snapshot() if re.search(DARK_RX, l)]

    def expect_dark(self, aw, name):
        m = aw.expect_err(DARK_RX)
        self.assertEqual(m.group("name"), name, aw.context())
        return m

    def test_static_command_named_once_across_generations(self):
        self.prog("ready")
        self.write("app/conf.txt", "one\n")
        # argv[0] is named as given
        aw = self.start(opts=["-w", "app/conf.txt"], cmd=["./app/ready"])
        aw.started(1)
        self.expect_dark(aw, "./app/ready")
        aw.send(signal.SIGHUP)
        aw.started(2)
        time.sleep(WINDOW)  # generation 2 is as dark: the line is not said again
        self.write("app/conf.txt", "two\n")
        aw.expect_change("conf.txt")
        aw.started(3)
        self.assertEqual(len(self.dark_lines(aw)), 1, aw.context())

    def test_static_command_that_exits_at_once(self):
        self.prog("quick")
        aw = self.start(cmd=["./app/quick"])
        m = aw.expect_err(EXIT_RX)
        self.assertEqual((m.group("status"), m.group("count")), ("0", "0"), m.group(0))
        self.expect_dark(aw, "./app/quick")
        for gen in (2, 3):  # each later line comes after all generation gen-1 said
            aw.send(signal.SIGHUP)
            aw.generation(gen)
            aw.expect_err(EXIT_RX)
        self.assertEqual(len(self.dark_lines(aw)), 1, aw.context())

    def test_static_helper_of_a_script_is_named_not_the_script(self):
        self.prog("ready", "helper")
        self.write("app/lib.sh", "GREETING=hi\n")
        self.write("app/run.sh", "#!/bin/bash\n. ./app/lib.sh\n./app/helper\n", mode=0o755)
        aw = self.start(cmd=["app/run.sh"])
        aw.started(1)
        self.expect_dark(aw, "app/helper")
        # the script itself runs under the shim: what it sources is tracked
        with open(self.app / "lib.sh", "a") as f:
            f.write("# edit\n")
        aw.expect_change("lib.sh")
        aw.started(2)
        time.sleep(WINDOW)
        with open(self.app / "lib.sh", "a") as f:
            f.write("# edit 2\n")
        aw.expect_change("lib.sh")
        aw.started(3)
        self.assertEqual(len(self.dark_lines(aw)), 1, aw.context())

    def test_watch_restarts_a_static_program(self):
        self.prog("ready")
        self.write("app/conf.txt", "one\n")
        aw = self.start(opts=["--watch", "app/conf.txt"], cmd=["./app/ready", "app/conf.txt"])
        aw.generation(1)
        aw.expect_out(r"^CONF one$")
        aw.ready()
        self.atomic_save("app/conf.txt", "two\n")
        aw.expect_change("conf.txt")
        aw.generation(2)
        aw.expect_out(r"^CONF two$")
        aw.ready()

    def test_raw_syscall_static_program(self):
        # seen by nothing but the silence: named, and --watch works
        self.prog("raw")
        self.write("app/conf.txt", "one\n")
        aw = self.start(opts=["-w", "app/conf.txt"], cmd=["./app/raw", "app/conf.txt"])
        aw.generation(1)
        aw.expect_out(r"^CONF one$")
        aw.ready()
        self.expect_dark(aw, "./app/raw")
        self.write("app/conf.txt", "two\n")
        aw.expect_change("conf.txt")
        aw.generation(2)
        aw.expect_out(r"^CONF two$")
        aw.ready()

    def test_raw_syscall_dynamic_program_is_not_named(self):
        # The known gap: the shim runs in it (it reports its exe and libraries),
        # so it is not dark, but a file read with raw system calls is not seen.
        if "rawdyn" not in self.built:
            self.skipTest("cannot build rawdyn")
        exe = self.prog("rawdyn")
        self.write("app/conf.txt", "one\n")
        rc, out, err = self.run_aw(["--list", "--", str(exe), "app/conf.txt", "exit"])
        self.assertEqual(rc, 0, err)
        listed = out.splitlines()
        self.assertIn(str(exe), listed)
        self.assertNotIn(str(self.app / "conf.txt"), listed)
        self.assertNotRegex(err, DARK_RX[1:-1])

    def test_spawning_parents_are_not_taken_for_dark(self):
        # posix_spawn and system() report their target from the parent, which
        # then waits in silence: only the exec family's flagged record arms
        self.write_app({"main.py": "import mod\n"
                        "os.waitpid(os.posix_spawn('/bin/true', ['true'], os.environ), 0)\n"
                        "os.system('sleep %s')\n" % WINDOW + APP_READY,
                        "mod.py": ""})
        aw = self.start()
        aw.started(1)
        self.sentinel(aw, "app/mod.py", 2)
        self.assertEqual(self.dark_lines(aw), [], aw.context())

    @unittest.skipUnless(os.geteuid() == 0, "needs root: chown to nobody and chmod u+s")
    def test_setuid_program_is_named(self):
        exe = self.prog("secure")
        try:
            nobody = pwd.getpwnam("nobody").pw_uid
        except KeyError:
            nobody = 65534
        os.chown(exe, nobody, -1)
        os.chmod(exe, 0o4755)
        probe = subprocess.run([str(exe), "exit"], capture_output=True, text=True, timeout=T)
        if not probe.stdout.startswith("SECURE 1 "):
            self.skipTest("setuid has no effect here (nosuid mount or no_new_privs): "
                          + probe.stdout.strip())
        self.write("app/lib.sh", "GREETING=hi\n")
        self.write("app/run.sh", "#!/bin/bash\n. ./app/lib.sh\n./app/secure\n", mode=0o755)
        aw = self.start(cmd=["app/run.sh"])
        aw.generation(1)
        aw.expect_out(r"^SECURE 1 EUID %d$" % nobody)
        aw.ready()
        self.expect_dark(aw, "app/secure")
        with open(self.app / "lib.sh", "a") as f:
            f.write("# edit\n")
        aw.expect_change("lib.sh")
        aw.generation(2)


if __name__ == "__main__":
    main()
