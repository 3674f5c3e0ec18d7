"""Shared shape of the per-language tests (test_lang_*.py): a program in some
language loads files by that language's mechanisms; --list must name them, and
under autowrap each edit of one of them must give exactly one restart.

The app itself appends "main <pid>" to $AW_TEST_PIDLOG at start (the harness's
start count) and prints "READY <pid>" when it has loaded everything; with
AW_ONCE set (the --list runs) it exits there instead of idling."""

from harness import *


class LangCase(AWTestCase):

    def need(self, exe):
        path = shutil.which(exe)
        if not path:
            self.skipTest("%s is not installed (tests/setup.sh installs it)" % exe)
        return path

    def edit(self, rel, comment):
        """Append one comment line in the file's language (a real change);
        comment None (JSON, no comments): append a blank line."""
        self.edits += 1
        p = self.tmp / rel
        with open(p, "a") as f:
            f.write("\n" if comment is None else "%s edit %d\n" % (comment, self.edits))
        return p

    def assert_listed(self, cmd, rels, opts=()):
        # -o: the program's own output shares stdout and may land inside a line
        lst = self.tmp / "list.txt"
        rc, out, err = self.run_aw(["--list", "-o", str(lst)] + list(opts) + ["--"] + list(cmd),
                                   env=self.env({"AW_ONCE": "1"}))
        self.assertEqual(rc, 0, err + out)
        listing = lst.read_text()
        lines = set(listing.splitlines())
        for rel in rels:
            self.assertIn(str(self.tmp / rel), lines,
                          "%s not in --list output:\n%s\n%s" % (rel, listing, err))
        return lines

    def restart_each(self, cmd, edits, opts=(), ready=None):
        """Start cmd under autowrap; for each (rel, comment) edit the file and
        require exactly one restart: the next change line names it, the next
        generation is the next number, and the app started that many times."""
        aw = self.start(opts, cmd)
        if ready:
            aw.expect_out(ready)
        aw.started(1)
        for gen, (rel, comment) in enumerate(edits, 2):
            self.edit(rel, comment)
            aw.expect_change(os.path.basename(rel))
            aw.started(gen)
            self.assertEqual(self.starts(), gen, "app start count")
        return aw
