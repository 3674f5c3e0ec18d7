"""README, `autowrap --help` and the man page agree: the same options with the
same kind of value, the same defaults, the same exit statuses, the version, and
AUTOWRAP_OPTS in all three. (The completions are checked in test_completion.)"""

from harness import *
import clidoc

MAN = REPO / "docs" / "autowrap.1"


class TestDocsAgree(AWTestCase):

    def setUp(self):
        super().setUp()
        self.help_text = clidoc.help_text()
        self.help = clidoc.help_options(self.help_text)
        self.assertGreater(len(self.help), 20, "could not read --help's options")

    def same(self, other, where):
        self.assertEqual(set(other) - set(self.help), set(),
                         "%s names options --help lacks" % where)
        self.assertEqual(set(self.help) - set(other), set(),
                         "%s lacks options --help lists" % where)
        for name, arg in self.help.items():
            self.assertEqual(other[name], arg, "%s: value of %s (None: none, req: needed, "
                             "opt: only as =VALUE)" % (where, name))

    def test_readme_options_table(self):
        self.same(clidoc.readme_options(), "README's options table")

    def test_man_options(self):
        self.same(clidoc.man_options(), "the man page's OPTIONS")

    def test_defaults(self):
        defaults = clidoc.help_defaults(self.help_text)
        self.assertIn("--debounce", defaults, "could not read --help's defaults")
        rows = clidoc.readme_rows()
        man = clidoc.man_entries()
        for name, value in defaults.items():
            want = "default %s" % value
            row = next(r for tok, r in rows.items() if tok.split("[")[0].split(" ")[0] == name)
            self.assertIn(want, row, "README's row of %s" % name)
            self.assertIn(want, man[name][1], "man page's entry of %s" % name)

    def test_exit_statuses(self):
        m = re.search(r"Exit status: (.*?)\n--list exits", self.help_text, re.S)
        self.assertTrue(m, self.help_text)
        codes = set(re.findall(r"\b(\d+) ", m.group(1)))
        self.assertEqual(codes, {"1", "2", "126", "127", "130"})
        readme = clidoc.readme_section("Exit status")
        readme_codes = set(re.findall(r"^\| (\d+) \|", readme, re.M))
        man = MAN.read_text()
        ms = re.search(r"^\.SH \"EXIT STATUS\"\n(.*?)^\.SH ", man, re.S | re.M).group(1)
        man_codes = set(re.findall(r"^\.TP\n\.B (\d+)$", ms, re.M))
        for where, got in (("README", readme_codes), ("man page", man_codes)):
            self.assertEqual(codes - got, set(), "%s: exit statuses --help names" % where)
            self.assertEqual(got, {"0"} | codes, "%s: exit statuses" % where)

    def test_usage_and_version(self):
        usage = self.help_text.splitlines()[0]
        self.assertEqual(usage, "usage: autowrap [OPTIONS] [--] COMMAND [ARG...]")
        self.assertIn("\n    " + usage[len("usage: "):] + "\n", clidoc.readme_section("Usage"))
        p = subprocess.run([BIN, "--version"], stdout=subprocess.PIPE, timeout=T)
        version = p.stdout.decode().strip()
        self.assertRegex(version, r"^autowrap \d+\.\d+\.\d+$")
        th = next(l for l in MAN.read_text().splitlines() if l.startswith(".TH "))
        self.assertIn('"%s"' % version, th, "man page .TH names another version")

    def test_autowrap_opts_documented(self):
        self.assertIn("AUTOWRAP_OPTS", self.help_text)
        self.assertIn("## `AUTOWRAP_OPTS`", (REPO / "README.md").read_text())
        man = MAN.read_text()
        env = re.search(r"^\.SH ENVIRONMENT\n(.*?)^\.SH ", man, re.S | re.M).group(1)
        self.assertIn(".TP\n.B AUTOWRAP_OPTS\n", env)
        # the quoting rules stated the same way in all three
        for where, text in (("--help", self.help_text), ("README", (REPO / "README.md")
                            .read_text()), ("man", clidoc.roff_plain(env))):
            self.assertIn("'...'", text, where)
            self.assertIn('"..."', text, where)


if __name__ == "__main__":
    main()
