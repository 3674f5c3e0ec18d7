"""C: a server that links a library (DT_NEEDED, found through RUNPATH) and
dlopens plugins by path and by bare name through RUNPATH. Rebuilding any of
them, the way a build does it, restarts the server exactly once: `cc -o
server` (the linker unlinks the running binary and writes a new file), the
rename-over style (link to a temporary name, rename it into place), and a
rebuilt library. Binaries are built with cc at test time, without sanitizers."""

from langcase import *

SERVER = r'''
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int dep_value(void);
static int plug(const char *name) {
    void *h = dlopen(name, RTLD_NOW);
    if (!h) { fprintf(stderr, "dlopen %s: %s\n", name, dlerror()); exit(3); }
    int (*f)(void) = (int (*)(void))dlsym(h, "plug_value");
    return f ? f() : -1;
}
int main(int argc, char **argv) {
    FILE *log = fopen(getenv("AW_TEST_PIDLOG"), "a");
    if (log) { fprintf(log, "main %d\n", (int)getpid()); fclose(log); }
    int bare = argc > 2 ? plug("libbare.so") : 0;
    printf("loaded %d %d %d %d\n", SERVER_V, dep_value(), plug(argv[1]), bare);
    if (getenv("AW_ONCE")) return 0;
    printf("READY %d\n", (int)getpid());
    fflush(stdout);
    for (;;) pause();
}
'''


class TestC(LangCase):

    def setUp(self):
        super().setUp()
        if not have_cc():
            self.skipTest("no cc")
        # The sanitized shim brings libasan, whose dlopen interceptor makes the
        # caller libasan and so loses the program's RUNPATH (see test_shim_trace).
        self.bare = not SANITIZED
        self.write("state/server.c", SERVER)
        (self.app / "plugins").mkdir()
        self.build_lib("app/libdep.so", "dep_value", 10)
        self.build_lib("app/plugins/libplug.so", "plug_value", 20)
        self.build_lib("app/plugins/libbare.so", "plug_value", 30)
        self.build_server(1)
        self.cmd = [str(self.app / "server"), str(self.app / "plugins" / "libplug.so")]
        if self.bare:
            self.cmd.append("bare")

    def cc(self, args):
        r = subprocess.run(["cc"] + args, capture_output=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))

    def build_lib(self, rel, fn, value):
        src = self.state / (fn + ".c")
        src.write_text("int %s(void) { return %d; }\n" % (fn, value))
        self.cc(["-shared", "-fPIC", "-o", str(self.tmp / rel), str(src)])

    def build_server(self, v, out="server"):
        self.cc(["-DSERVER_V=%d" % v, "-o", str(self.app / out), str(self.state / "server.c"),
                 "-L" + str(self.app), "-ldep", "-ldl",
                 "-Wl,--enable-new-dtags,-rpath,$ORIGIN:$ORIGIN/plugins"])

    def loaded(self, sv, dep, plug):
        return "^loaded %d %d %d %d$" % (sv, dep, plug, 30 if self.bare else 0)

    def test_list(self):
        files = ["app/server", "app/libdep.so", "app/plugins/libplug.so"]
        if self.bare:
            files.append("app/plugins/libbare.so")
        self.assert_listed(self.cmd, files)

    def step(self, aw, name, rebuild, values, starts, strict_gen=True):
        rebuild()
        aw.expect_change(name)
        aw.expect_out(self.loaded(*values))
        if strict_gen:
            aw.generation(starts)
        aw.ready()
        self.assertEqual(self.starts(), starts, "server start count")

    def test_rebuilds_restart_once_each(self):
        aw = self.start((), self.cmd)
        aw.expect_out(self.loaded(1, 10, 20))
        aw.started(1)
        steps = [("server", lambda: (self.build_server(3, "server.new"),
                                     os.replace(self.app / "server.new", self.app / "server")),
                  (3, 10, 20)),
                 ("libdep.so", lambda: self.build_lib("app/libdep.so", "dep_value", 11),
                  (3, 11, 20)),
                 ("libplug.so", lambda: self.build_lib("app/plugins/libplug.so", "plug_value", 21),
                  (3, 11, 21))]
        if self.bare:
            steps.append(("libbare.so",
                          lambda: self.build_lib("app/plugins/libbare.so", "plug_value", 30),
                          (3, 11, 21)))
        for gen, (name, rebuild, values) in enumerate(steps, 2):
            self.step(aw, name, rebuild, values, gen)

    def test_link_in_place(self):
        """`cc -o server` while it runs: ld unlinks it, creates the new file
        0666, writes, closes, and only then chmods it 0755. A start that falls
        in that gap (a quiet window longer than the debounce, on a loaded
        machine) is held until the chmod: one new generation per rebuild. A
        held start repeats its "starting generation 2" line, so later lines
        may name 2 again before 3 (the deterministic case is the next test)."""
        aw = self.start((), self.cmd)
        aw.expect_out(self.loaded(1, 10, 20))
        aw.started(1)
        self.step(aw, "server", lambda: self.build_server(2), (2, 10, 20), 2)
        # Sentinel: the next real start comes from this rebuild, not a late one.
        self.build_lib("app/plugins/libplug.so", "plug_value", 22)
        while aw.change().group("path").endswith("/server"):
            pass
        g = aw.generation()
        while g == 2:
            g = aw.generation()
        self.assertEqual(g, 3, "generation of the sentinel")
        aw.expect_out(self.loaded(2, 10, 22))
        aw.ready()
        self.assertEqual(self.starts(), 3, "server start count" + aw.context())

    def test_not_executable_until_chmod(self):
        """The gap made deterministic: the new binary is written 0644 and left
        so past the debounce, then chmod-ed 0755. The start is held (a status
        line says so), the chmod alone starts it: generation 2 runs it, and
        no exec fails."""
        aw = self.start((), self.cmd)
        aw.expect_out(self.loaded(1, 10, 20))
        aw.started(1)
        self.build_server(2, "server.new")
        data = (self.app / "server.new").read_bytes()
        os.unlink(self.app / "server")
        fd = os.open(self.app / "server", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, data)
        os.close(fd)
        m = aw.expect_err(r"is not executable yet .*generation (\d+) waits|permission denied")
        self.assertIn("not executable yet", m.group(0))
        self.assertEqual(m.group(1), "2")
        self.assertEqual(self.starts(), 1, "server start count while held")
        os.chmod(self.app / "server", 0o755)
        aw.expect_change("server", "changed")
        aw.generation(2)
        aw.expect_out(self.loaded(2, 10, 20))
        aw.ready()
        self.assertEqual(self.starts(), 2, "server start count")
        # Sentinel: nothing else was pending (no failed generation, no 126).
        self.build_lib("app/plugins/libplug.so", "plug_value", 22)
        aw.expect_change("libplug.so")
        aw.generation(3)
        aw.expect_out(self.loaded(2, 10, 22))
        aw.ready()
        self.assertEqual(self.starts(), 3, "server start count")

if __name__ == "__main__":
    main()
