"""Shell completions (completions/autowrap.bash, completions/_autowrap) against
`autowrap --help`, so they cannot drift: each offers exactly the options --help
lists, knows which of them take a value, and completes --format with the
formats autowrap accepts and --signal with names autowrap accepts."""

import shlex

from harness import *
import clidoc

BASH_COMP = REPO / "completions" / "autowrap.bash"
ZSH_COMP = REPO / "completions" / "_autowrap"


def formats_accepted():
    """The formats autowrap names when given a bad one: "(text, json or make)"."""
    p = subprocess.run([BIN, "--list", "--format", "nope", "--", "true"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=T)
    m = re.search(r"\(([^)]*)\)", p.stderr.decode())
    assert p.returncode == 2 and m, p.stderr
    return set(re.split(r", | or ", m.group(1)))


class TestCompletion(AWTestCase):

    def setUp(self):
        super().setUp()
        self.help = clidoc.help_options()
        self.assertGreater(len(self.help), 20, "could not read --help's options")

    def complete_bash(self, cases):
        """{case: [replies]}; each case is the words on the line, the last one the
        word being completed ('' for a new word)."""
        lines = ["source %s" % shlex.quote(str(BASH_COMP)),
                 't() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));'
                 ' COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _autowrap;'
                 ' printf "%s\\n" "${COMPREPLY[*]}"; }']
        for c in cases:
            lines.append("t autowrap " + " ".join(shlex.quote(w) for w in c))
        empty = self.tmp / "empty"
        empty.mkdir(exist_ok=True)
        p = subprocess.run(["bash", "--norc", "--noprofile", "-c", "\n".join(lines)],
                           cwd=str(empty), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=T, env={"PATH": "/usr/bin:/bin", "HOME": str(self.tmp)})
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stderr, b"", p.stderr.decode())
        out = p.stdout.decode().split("\n")
        return {tuple(c): out[i].split() for i, c in enumerate(cases)}

    def test_bash_syntax(self):
        p = subprocess.run(["bash", "-n", str(BASH_COMP)], stderr=subprocess.PIPE, timeout=T)
        self.assertEqual(p.returncode, 0, p.stderr.decode())

    def test_bash_offers_exactly_the_help_options(self):
        r = self.complete_bash([("-",), ("--",)])
        self.assertEqual(set(r[("-",)]), set(self.help), "bash: options offered for '-'")
        self.assertEqual(set(r[("--",)]), {n for n in self.help if n.startswith("--")})

    def test_bash_knows_which_options_take_a_value(self):
        # After OPT x, a new '-' word is an option again when OPT took x as its
        # value; otherwise x is COMMAND and '-' one of its arguments.
        cases = [(name, "x", "-") for name in self.help]
        r = self.complete_bash(cases)
        for name, arg in self.help.items():
            offered = r[(name, "x", "-")]
            if arg == "req":
                self.assertEqual(set(offered), set(self.help),
                                 "bash: %s takes a value (--help), 'x' was not skipped" % name)
            else:
                self.assertEqual(offered, [],
                                 "bash: %s takes no separate value (--help), yet 'x' was "
                                 "taken as its value" % name)

    def test_bash_values_and_command(self):
        self.write("empty/deps.txt", "")
        fmts = formats_accepted()
        r = self.complete_bash([("--format", ""), ("--format", "=", "j"), ("-o", "de"),
                                ("--output", "=", "de"), ("-qo", "de"), ("-s", ""),
                                ("--stop-signal", "TE"), ("-q", "--", "pytho"),
                                ("-d", "50", "pytho"), ("pytho",), ("-v", "ls", "de")])
        self.assertEqual(set(r[("--format", "")]), fmts)
        self.assertEqual(r[("--format", "=", "j")], ["json"])
        for c in (("-o", "de"), ("--output", "=", "de"), ("-qo", "de"), ("-v", "ls", "de")):
            self.assertEqual(r[c], ["deps.txt"], c)
        self.assertIn("TERM", r[("--stop-signal", "TE")])
        for c in (("-q", "--", "pytho"), ("-d", "50", "pytho"), ("pytho",)):
            self.assertIn("python3", r[c], c)
        signals = r[("-s", "")]
        self.assertTrue({"HUP", "TERM", "USR1", "INT"} <= set(signals), signals)
        # every signal name offered is one autowrap accepts (-s NAME, then --help)
        for sig in signals:
            p = subprocess.run([BIN, "-s", sig, "--help"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=T)
            self.assertEqual(p.returncode, 0, "autowrap -s %s: %s" % (sig, p.stderr))

    def test_zsh_specs_match_help(self):
        z = clidoc.zsh_options(ZSH_COMP)
        self.assertEqual(set(z), set(self.help), "zsh: option names")
        for name, arg in self.help.items():
            self.assertEqual(z[name], arg, "zsh: value of %s" % name)
        m = re.search(r"'--format=\[[^\]]*\]:format:\(([^)]*)\)'", ZSH_COMP.read_text())
        self.assertTrue(m, "zsh: no --format spec with values")
        self.assertEqual(set(m.group(1).split()), formats_accepted())
        # every option name the file mentions anywhere is one --help lists
        named = set(re.findall(r"(?<![-\w])(--[a-z][a-z-]*)", ZSH_COMP.read_text()))
        self.assertEqual(named - set(self.help), set(), "zsh names options --help lacks")

    def test_zsh_syntax(self):
        zsh = shutil.which("zsh")
        if not zsh:
            self.skipTest("zsh is not installed (tests/setup.sh installs it)")
        p = subprocess.run([zsh, "-n", str(ZSH_COMP)], stderr=subprocess.PIPE, timeout=T)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(ZSH_COMP.read_text().splitlines()[0], "#compdef autowrap")


if __name__ == "__main__":
    main()
