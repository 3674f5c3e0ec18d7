"""Negative dependencies: a file created where the program looked (a failed
optional import, a module earlier on Perl's @INC or Ruby's $LOAD_PATH, a probed
~/.apprc, a config in a directory that did not exist yet) restarts it exactly
once; untracked files and editor artefacts in the same directory do not."""

import signal

from harness import *

# Long-running non-Python apps log their start like APP_PRELUDE does, then idle.
PERL_LOG = ('open(my $l, ">>", $ENV{AW_TEST_PIDLOG}) or die; print $l "main $$\\n"; close $l;\n'
            '$| = 1;\n')
PERL_READY = 'print "READY $$\\n"; sleep 3600 while 1;\n'
RUBY_LOG = 'File.open(ENV["AW_TEST_PIDLOG"], "a") { |f| f.puts "main #{$$}" }\n$stdout.sync = true\n'
RUBY_READY = 'puts "READY #{$$}"\nsleep\n'
SH_LOG = 'echo "main $$" >> "$AW_TEST_PIDLOG"\n'
SH_READY = 'echo "READY $$"\nwhile :; do sleep 3600; done\n'


class TestNegativeDeps(AWTestCase):

    def test_optional_import_then_module_created(self):
        self.write_app({"main.py": (
            "try:\n    import optional\n    print('optional', optional.V, flush=True)\n"
            "except ImportError:\n    print('optional absent', flush=True)\n" + APP_READY)})
        aw = self.start()
        aw.expect_out("^optional absent$")
        aw.started(1)
        self.write("app/optional.py", "V = 1\n")
        aw.expect_change("optional.py", "created")
        aw.expect_out("^optional 1$")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)

    def test_created_while_queue_overflowed(self):
        # autowrap stopped while a tool makes 20,000 events (writes alternating
        # between two files, so inotify cannot merge them: past
        # fs.inotify.max_queued_events, 16384 by default), then creates the module
        # the program failed to import: its event is lost to the overflow, the
        # rescan must list the directory again to see it
        limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
        if limit > 16384:
            self.skipTest("max_queued_events is %d: too many files to overflow it" % limit)
        self.write_app({"main.py": (
            "try:\n    import optional\n    print('optional', optional.V, flush=True)\n"
            "except ImportError:\n    print('optional absent', flush=True)\n" + APP_READY)})
        aw = self.start(["-v"])
        aw.expect_out("^optional absent$")
        aw.started(1)
        # the program's line comes before autowrap has read its records: stop
        # it only once app/ is watched, or no event is queued to overflow
        aw.expect_err(r"tracking app \(listed\)")
        aw.wait_watched(self.app)
        aw.send(signal.SIGSTOP)
        try:
            fds = [os.open(self.app / n, os.O_WRONLY | os.O_CREAT, 0o644)
                   for n in ("a.log", "b.log")]
            for i in range(10000):
                for fd in fds:
                    os.write(fd, b"x")
            for fd in fds:
                os.close(fd)
            self.write("app/optional.py", "V = 1\n")
        finally:
            aw.send(signal.SIGCONT)
        aw.expect_err("inotify queue overflowed")
        aw.expect_change("optional.py", "created")
        aw.expect_out("^optional 1$")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)

    def test_untracked_files_in_listed_dir_do_not_restart(self):
        self.write_app({"main.py": (
            "try:\n    import optional\nexcept ImportError:\n    pass\n" + APP_READY)})
        aw = self.start()
        aw.started(1)
        for name in ("README.md", ".main.py.swp", "4913", "main.py~", "local.json"):
            self.write("app/" + name, "x\n")
        # (the sentinel proves none of them restarted: next change is main.py, gen 2)
        self.sentinel(aw, "app/main.py", 2)

    def test_json_in_package_dir_does_not_restart(self):
        # Django's complaint: a package directory is listed and *.py loaded from it;
        # a new local.json there is not something an import would find.
        self.write("app/pkg/__init__.py", "")
        self.write("app/pkg/settings.py", "X = 1\n")
        self.write_app({"main.py": (
            "import pkg.settings\n"
            "try:\n    import pkg.local\nexcept ImportError:\n    pass\n" + APP_READY)})
        aw = self.start()
        aw.started(1)
        self.write("app/pkg/local.json", "{}\n")
        self.sentinel(aw, "app/pkg/settings.py", 2)
        # while a .py there is
        self.write("app/pkg/local.py", "Y = 2\n")
        aw.expect_change("local.py", "created")
        aw.started(3)
        self.assertEqual(self.starts(), 3)

    def test_perl_module_earlier_on_inc(self):
        self.write("app/late/Foo.pm", 'package Foo; our $W = "late"; 1;\n')
        (self.app / "early").mkdir()
        self.write("app/main.pl", PERL_LOG +
                   'use FindBin; use lib "$FindBin::Bin/late"; use lib "$FindBin::Bin/early";\n'
                   'use Foo; print "foo $Foo::W\\n";\n' + PERL_READY)
        aw = self.start(cmd=["perl", "app/main.pl"])
        aw.expect_out("^foo late$")
        aw.started(1)
        self.write("app/early/Foo.pm", 'package Foo; our $W = "early"; 1;\n')
        aw.expect_change("Foo.pm", "created")
        aw.expect_out("^foo early$")
        aw.started(2)
        self.sentinel(aw, "app/main.pl", 3)

    @unittest.skipUnless(shutil.which("ruby"), "ruby not installed (tests/setup.sh installs it)")
    def test_ruby_file_earlier_on_load_path(self):
        self.write("app/late/foo.rb", 'module Foo; W = "late"; end\n')
        (self.app / "early").mkdir()
        self.write("app/main.rb", RUBY_LOG +
                   '$LOAD_PATH.unshift(File.join(__dir__, "late"))\n'
                   '$LOAD_PATH.unshift(File.join(__dir__, "early"))\n'
                   'require "foo"\nputs "foo #{Foo::W}"\n' + RUBY_READY)
        aw = self.start(cmd=["ruby", "app/main.rb"])
        aw.expect_out("^foo late$")
        aw.started(1)
        self.write("app/early/foo.rb", 'module Foo; W = "early"; end\n')
        aw.expect_change("foo.rb", "created")
        aw.expect_out("^foo early$")
        aw.started(2)
        self.sentinel(aw, "app/main.rb", 3)

    def sh_app(self, body):
        self.write("app/main.sh", SH_LOG + body + SH_READY)

    def test_probed_rc_file_created(self):
        home = self.tmp / "home"
        home.mkdir()
        self.sh_app('if [ -e "$HOME/.apprc" ]; then echo "rc yes"; else echo "rc no"; fi\n')
        aw = self.start(cmd=["/bin/sh", "app/main.sh"], env=self.env({"HOME": str(home)}))
        aw.expect_out("^rc no$")
        aw.started(1)
        self.write(home / ".apprc", "x=1\n")
        aw.expect_change(".apprc", "created")
        aw.expect_out("^rc yes$")
        aw.started(2)
        self.sentinel(aw, "app/main.sh", 3)

    def test_missing_path_in_missing_dir(self):
        home = self.tmp / "home"
        home.mkdir()
        self.sh_app('if [ -e "$HOME/.config/app/conf.toml" ]; then echo "conf yes"; '
                    'else echo "conf no"; fi\n')
        aw = self.start(cmd=["/bin/sh", "app/main.sh"], env=self.env({"HOME": str(home)}))
        aw.expect_out("^conf no$")
        aw.started(1)
        # one level at a time, then the file: only the file restarts
        (home / ".config").mkdir()
        (home / ".config" / "other").mkdir()
        (home / ".config" / "app").mkdir()
        os.rename(self.write("staged.toml", "x = 1\n"), home / ".config/app/conf.toml")
        aw.expect_change("conf.toml", "created")
        aw.expect_out("^conf yes$")
        aw.started(2)
        self.sentinel(aw, "app/main.sh", 3)

    def test_missing_path_in_dirs_made_at_once(self):
        # mkdir -p and the file in one go: the file may exist before the new
        # directories are watched; the scan of each new directory finds it.
        home = self.tmp / "home"
        home.mkdir()
        self.sh_app('if [ -e "$HOME/a/b/c/conf.toml" ]; then echo "conf yes"; '
                    'else echo "conf no"; fi\n')
        aw = self.start(cmd=["/bin/sh", "app/main.sh"], env=self.env({"HOME": str(home)}))
        aw.expect_out("^conf no$")
        aw.started(1)
        # makes a/b/c, then the file, complete (a writer stalled between create
        # and write would rightly restart twice)
        staged = self.write("staged.toml", "x = 1\n")
        (home / "a/b/c").mkdir(parents=True)
        os.rename(staged, home / "a/b/c/conf.toml")
        aw.expect_change("conf.toml", "created")
        aw.expect_out("^conf yes$")
        aw.started(2)
        self.sentinel(aw, "app/main.sh", 3)


if __name__ == "__main__":
    main()
