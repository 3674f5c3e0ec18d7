"""Watching edge cases: symlinks (link, target in another directory, chain of
two), a watched directory deleted and recreated, a 1000-file checkout, vim's
save patterns."""

import shutil

from harness import *


class TestWatchEdges(AWTestCase):

    def relink(self, link, target):
        """Repoint a symlink atomically (ln -sfn does the same via rename)."""
        tmp = link.with_name(link.name + ".new")
        os.symlink(target, tmp)
        os.replace(tmp, link)

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


if __name__ == "__main__":
    main()
