"""Watching edge cases: symlinks (link, target in another directory, chain of
two), a watched directory deleted and recreated, a 1000-file checkout, vim's
save patterns, writes that put the mtime back (ctime), metadata-only changes."""

import shutil
import signal
import subprocess
import time

from harness import *


class TestWatchEdges(AWTestCase):

    def relink(self, link, target):
        """Repoint a symlink atomically (ln -sfn does the same via rename)."""
        tmp = link.with_name(link.name + ".new")
        os.symlink(target, tmp)
        os.replace(tmp, link)

    def test_writer_pausing_mid_file_restarts_once_after_close(self):
        # A linker, or a copy on a loaded machine, writes part of a file,
        # pauses longer than the debounce, then writes the rest and closes:
        # one restart, and the new generation reads the whole file.
        self.write_app({"main.py": "import json\n"
                        "print('cfg', json.load(open(os.path.join(os.path.dirname("
                        "__file__), 'cfg.json')))['v'], flush=True)\n" + APP_READY,
                        "cfg.json": '{"v": 1}\n'})
        aw = self.start()
        aw.expect_out(r"^cfg 1$")
        aw.started(1)
        with open(self.app / "cfg.json", "w") as f:
            f.write('{"v": ')
            f.flush()
            time.sleep(0.4)  # the writer's pause (8 debounce windows), not a wait for autowrap
            f.write("2}\n")
        aw.expect_change("cfg.json")
        aw.expect_out(r"^cfg 2$")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)

    def test_save_between_look_and_watch_restarts(self):
        # autowrap stats what a record names, then watches its directory; a
        # save in between happens after the look and before inotify would
        # report it. The hook (tests/progs/hooks/watch_race.c) makes that
        # save land there every time: one restart, not a missed change.
        hook = os.path.join(PROGS, "libwatch_race.so")
        if not os.path.exists(hook):
            self.skipTest("the watch-race hook was not built: " + hook)
        self.write_app({"main.py": "import json\n"
                        "print('cfg', json.load(open(os.path.join(os.path.dirname("
                        "__file__), 'conf', 'cfg.json')))['v'], flush=True)\n" + APP_READY})
        # read by path, not imported: no listing of conf/ comes first
        self.write("app/conf/cfg.json", '{"v": 1}\n')
        env = self.env({"LD_PRELOAD": hook, "AW_RACE_DIR": str(self.app / "conf"),
                        "AW_RACE_FILE": str(self.app / "conf" / "cfg.json"),
                        "ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") +
                                         ":verify_asan_link_order=0").lstrip(":")})
        aw = self.start(env=env)
        aw.generation(1)
        aw.expect_change("cfg.json")
        aw.generation(2)
        # generation 1 may or may not have printed READY before its stop:
        # read on to generation 2's (its pid is the second one logged)
        for _ in range(2):
            pid = aw.ready()
            pids = self.logged_pids("main")
            if len(pids) >= 2 and pid == pids[1]:
                break
        else:
            self.fail("generation 2 did not print READY" + aw.context())
        self.sentinel(aw, "app/main.py", 3)

    def test_module_made_between_listing_and_watch_restarts(self):
        # Python finds a module through its directory's listing, so nothing
        # names optional.py before it exists. The hook creates it right before
        # autowrap watches plugins/, after the program listed it: no event
        # will ever tell. autowrap looks for entries made since the listing.
        hook = os.path.join(PROGS, "libwatch_race.so")
        if not os.path.exists(hook):
            self.skipTest("the watch-race hook was not built: " + hook)
        self.write_app({"main.py": (
            "import sys\n"
            "sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'plugins'))\n"
            "try:\n    import optional\n    print('optional found', flush=True)\n"
            "except ImportError:\n    print('optional absent', flush=True)\n" + APP_READY)})
        (self.app / "plugins").mkdir()
        env = self.env({"LD_PRELOAD": hook, "AW_RACE_DIR": str(self.app / "plugins"),
                        "AW_RACE_FILE": str(self.app / "plugins" / "optional.py"),
                        "AW_RACE_CREATE": "1",
                        "ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") +
                                         ":verify_asan_link_order=0").lstrip(":")})
        aw = self.start(env=env)
        # generation 1 is stopped as soon as it starts: it may print nothing,
        # or be cut off in mid-line
        aw.expect_change("optional.py", "created")
        aw.generation(2)
        aw.expect_out("optional found$")
        aw.ready()
        # generation 1 may have been stopped before its READY: no start count,
        # but the next change line must be the sentinel's edit
        self.edit_py("app/main.py")
        m = aw.expect_change("main.py")
        self.assertFalse(m.group("more"), m.group(0))
        aw.generation(3)

    def test_symlink_target_in_other_dir_and_link_change(self):
        self.write_app({"main.py": "import mod\nprint('v', mod.V)\n" + APP_READY})
        self.write("lib/a.py", "V = 1\n")
        self.write("lib/b.py", "V = 2222\n")
        os.symlink("../lib/a.py", self.app / "mod.py")
        aw = self.start()
        aw.started(1)
        self.edit_py("lib/a.py")
        aw.change()
        aw.started(2)
        self.relink(self.app / "mod.py", "../lib/b.py")
        aw.change()
        aw.expect_out(r"^v 2222$")
        aw.started(3)
        self.sentinel(aw, "app/main.py", 4)

    def test_symlink_chain_of_two(self):
        self.write_app({"main.py": "import mod\nprint('v', mod.V)\n" + APP_READY})
        self.write("l2/real.py", "V = 1\n")
        self.write("l2/other.py", "V = 333\n")
        (self.tmp / "l1").mkdir()
        os.symlink("../l2/real.py", self.tmp / "l1/mid.py")
        os.symlink("../l1/mid.py", self.app / "mod.py")
        aw = self.start()
        aw.started(1)
        self.edit_py("l2/real.py")
        aw.change()
        aw.started(2)
        # the middle link, in a directory the program never named, is repointed
        self.relink(self.tmp / "l1/mid.py", "../l2/other.py")
        aw.change()
        aw.expect_out(r"^v 333$")
        aw.started(3)
        self.sentinel(aw, "app/main.py", 4)

    def test_directory_deleted_and_recreated_is_watched_again(self):
        self.write_app({"main.py": "import pkg.mod\n" + APP_READY,
                        "pkg/__init__.py": "", "pkg/mod.py": "V = 1\n"})
        aw = self.start()
        aw.started(1)
        shutil.rmtree(self.app / "pkg")
        self.write("app/pkg/__init__.py", "")
        self.write("app/pkg/mod.py", "V = 2  # recreated\n")
        aw.change()
        aw.started(2)
        # changes after that still restart
        self.edit_py("app/pkg/mod.py")
        aw.expect_change("mod.py")
        aw.started(3)
        self.edit_py("app/pkg/mod.py")
        aw.expect_change("mod.py")
        aw.started(4)
        self.assertEqual(self.starts(), 4)

    def test_user_watch_dir_is_recursive(self):
        self.write_app({"main.py": APP_READY})
        self.write("conf/a/b/x.txt", "1\n")
        aw = self.start(["-w", "conf"])
        aw.started(1)
        self.write("conf/a/b/x.txt", "22\n")  # an existing subdirectory
        aw.expect_change("x.txt")
        aw.started(2)
        (self.tmp / "conf/new/deeper").mkdir(parents=True)  # created later
        self.write("conf/new/deeper/y.txt", "3\n")
        aw.expect_change("y.txt")
        aw.started(3)
        self.write("conf/new/deeper/y.txt", "333\n")
        aw.expect_change("y.txt")
        aw.started(4)
        self.assertEqual(self.starts(), 4)

    def test_checkout_of_1000_files_over_300ms_gives_one_restart(self):
        files = {"mods/m%04d.py" % i: "N = %d\n" % i for i in range(1000)}
        files["mods/__init__.py"] = ""
        files["main.py"] = ("import importlib\n"
                            "for i in range(1000):\n"
                            "    importlib.import_module('mods.m%04d' % i)\n" + APP_READY)
        self.write_app(files)
        aw = self.start()
        aw.started(1)
        mods = self.app / "mods"
        t0 = time.monotonic()
        for i in range(1000):
            (mods / ("m%04d.py" % i)).write_text("N = %d  # checkout\n" % i)
            # spread over ~300 ms (pace, not a wait: nothing depends on it)
            ahead = t0 + 0.3 * (i + 1) / 1000 - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        m = aw.change()
        self.assertEqual(m.group("action"), "restarting", m.group(0))
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)

    def test_vim_save_backupcopy_no_gives_one_restart(self):
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": "V = 1\n"})
        aw = self.start()
        aw.started(1)
        d = self.app
        # vim's writability probe, then rename the original to the backup and
        # write the new file under the old name, then drop the backup
        probe = d / "4913"
        probe.write_text("")
        probe.unlink()
        os.rename(d / "mod.py", d / "mod.py~")
        (d / "mod.py").write_text("V = 2  # saved by vim\n")
        (d / "mod.py~").unlink()
        aw.expect_change("mod.py")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)

    def test_vim_save_backupcopy_yes_gives_one_restart(self):
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": "V = 1\n"})
        aw = self.start()
        aw.started(1)
        d = self.app
        probe = d / "4913"
        probe.write_text("")
        probe.unlink()
        shutil.copyfile(d / "mod.py", d / "mod.py~")
        with open(d / "mod.py", "w") as f:  # truncate and rewrite in place
            f.write("V = 2  # saved by vim in place\n")
        (d / "mod.py~").unlink()
        aw.expect_change("mod.py")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)



class TestCtime(AWTestCase):
    """A write whose mtime is put back (cp -p, touch -r, tar, rsync -t) is seen by
    its ctime; a chmod, chown or hard link moves ctime too but changes no byte.
    The app reads a JSON file: Python's own bytecode cache trusts mtime and size,
    so a .py written this way would restart into stale bytecode."""

    APP = {"main.py": ("import json, os\n"
                       "conf = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'conf.json')\n"
                       "print('v', json.load(open(conf))['v'])\n" + APP_READY),
           "conf.json": '{"v": 1}\n'}

    def cp_p_same_size_same_mtime(self, aw, v):
        """cp -p a same-size file carrying conf.json's own mtime over it, while
        autowrap is stopped: when it looks, inode, size and mtime are as before."""
        conf = self.app / "conf.json"
        src = self.write("src/conf.json", '{"v": %d}\n' % v)
        os.chmod(src, 0o644)
        st = os.stat(conf)
        os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns))
        aw.send(signal.SIGSTOP)
        try:
            subprocess.run(["cp", "-p", str(src), str(conf)], check=True, timeout=T)
        finally:
            aw.send(signal.SIGCONT)
        after = os.stat(conf)
        self.assertEqual((after.st_ino, after.st_size, after.st_mtime_ns),
                         (st.st_ino, st.st_size, st.st_mtime_ns))
        self.assertNotEqual(after.st_ctime_ns, st.st_ctime_ns)

    def check_restored_mtime(self, opts):
        self.write_app(self.APP)
        aw = self.start(opts)
        aw.expect_out("^v 1$")
        aw.started(1)
        self.cp_p_same_size_same_mtime(aw, 7)
        aw.expect_change("conf.json", "changed")
        aw.expect_out("^v 7$")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)

    def test_restored_mtime_restarts_inotify(self):
        self.check_restored_mtime([])

    def test_restored_mtime_restarts_poll(self):
        self.check_restored_mtime(["--poll=20"])

    def change_metadata(self):
        conf = self.app / "conf.json"
        os.chmod(conf, 0o600)
        os.link(conf, self.app / "conf.hardlink")
        if os.geteuid() == 0:
            os.chown(conf, 65534, 65534)
        os.chmod(conf, 0o644)

    def test_chmod_chown_link_do_not_restart_inotify(self):
        self.write_app(self.APP)
        aw = self.start(["-v"])
        aw.started(1)
        # once autowrap watches it (made before the watch, with no event to
        # say nothing was written, the same change rightly counts)
        aw.expect_err(r"^\[autowrap\] tracking app/conf\.json \(read\)$")
        self.change_metadata()
        # the sentinel's change line is the next one, and it comes alone
        self.sentinel(aw, "app/main.py", 2)
        # a content change after all that is still seen, mode and owner copied with it
        self.cp_p_same_size_same_mtime(aw, 8)
        aw.expect_change("conf.json", "changed")
        aw.expect_out("^v 8$")
        aw.started(3)

    def test_chmod_restarts_under_poll(self):
        # polling cannot tell a chmod from cp -p copying mode with the bytes
        self.write_app(self.APP)
        aw = self.start(["--poll=20"])
        aw.started(1)
        os.chmod(self.app / "conf.json", 0o600)
        aw.expect_change("conf.json", "changed")
        aw.started(2)
        self.sentinel(aw, "app/main.py", 3)

if __name__ == "__main__":
    main()
