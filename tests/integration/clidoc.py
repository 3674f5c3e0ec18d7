"""The option list as `autowrap --help`, the README's options table, the man
page's OPTIONS section and the zsh completion each state it, parsed into one
shape: {name: arg} with name "-x" or "--long" and arg None (no value), "req"
(a value) or "opt" (--poll[=MS]: a value only after '=')."""

import re
import subprocess

from harness import BIN, REPO

HELP_RX = re.compile(r"^  (?:-(\w), )?\s*--([a-z][a-z-]*)(\[=\w+\]| [A-Z]\w*)?(?:\s|$)")
ZSH_SPEC_RX = re.compile(r"^\s*'(?:\*|\([^)]*\))?'?(?P<names>\{[^}]*\}|--?[A-Za-z][-A-Za-z]*[+=]?-?)"
                         r"'?\[[^\]]*\](?P<rest>[^']*)'")


def _arg_of(suffix):
    if not suffix:
        return None
    return "opt" if suffix.startswith("[=") else "req"


def help_text():
    p = subprocess.run([BIN, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode()


def help_options(text=None):
    """{name: arg} from the option lines of --help."""
    out = {}
    for line in (text or help_text()).splitlines():
        m = HELP_RX.match(line)
        if not m:
            continue
        arg = _arg_of(m.group(3))
        out["--" + m.group(2)] = arg
        if m.group(1):
            out["-" + m.group(1)] = "req" if arg else None
    return out


def help_defaults(text=None):
    """{long name: 'default X'} for option lines of --help saying '(default X'."""
    out = {}
    lines = (text or help_text()).splitlines()
    for i, line in enumerate(lines):
        m = HELP_RX.match(line)
        if not m:
            continue
        desc = line
        # a continuation line belongs to the option above
        if i + 1 < len(lines) and lines[i + 1].startswith(" " * 20):
            desc += " " + lines[i + 1].strip()
        d = re.search(r"\(default (\w+)", desc)
        if d:
            out["--" + m.group(2)] = d.group(1)
    return out


def readme_section(title):
    text = (REPO / "README.md").read_text()
    m = re.search(r"^## %s\n(.*?)(?=^## )" % re.escape(title), text, re.S | re.M)
    assert m, "README has no section %r" % title
    return m.group(1)


def readme_rows():
    """{name: row text} of the README's options table (first cell names)."""
    rows = {}
    for line in readme_section("Options").splitlines():
        if not line.startswith("| `"):
            continue
        cell = line.split(" | ")[0]
        for tok in re.findall(r"`([^`]+)`", cell):
            rows[tok] = line
    return rows


def readme_options():
    out = {}
    rows = readme_rows()
    for tok, row in rows.items():
        m = re.match(r"^(--[a-z][a-z-]*|-\w)(\[=\w+\]| \S+)?$", tok)
        assert m, "README options table: cannot read %r" % tok
        out[m.group(1)] = _arg_of(m.group(2))
    # a short option takes a value when the long one of its row does
    for tok, row in rows.items():
        if re.match(r"^-\w$", tok):
            longs = [t.split("[")[0].split(" ")[0] for t in re.findall(r"`(--[^`]+)`", row)]
            out[tok] = "req" if longs and out.get(longs[0]) else None
    return out


def roff_plain(s):
    """Text of roff source, roughly as rendered: escapes resolved, font macros'
    arguments joined (.BR a b -> ab, .B a b -> a b)."""
    out = []
    for line in s.split("\n"):
        m = re.match(r"^\.(B|I|SM|BR|RB|BI|IB|IR|RI)(?:\s+(.*))?$", line)
        if m:
            args = shlex_roff(m.group(2) or "")
            line = (" " if len(m.group(1)) == 1 else "").join(args)
        out.append(line)
    s = "\n".join(out)
    s = re.sub(r"\\f[BIRP]", "", s)
    s = s.replace("\\(aq", "'").replace("\\(dq", '"').replace("\\-", "-")
    s = s.replace("\\e", "\\").replace("\\&", "").replace("\\c", "")
    s = re.sub(r"\\\(\w\w", "", s)
    return s


def shlex_roff(s):
    """Arguments of a roff macro line: blank-separated, "..." groups."""
    args, cur, quoted, any_ = [], "", False, False
    for ch in s:
        if ch == '"':
            quoted = not quoted
            any_ = True
        elif ch in " \t" and not quoted:
            if cur or any_:
                args.append(cur)
            cur, any_ = "", False
        else:
            cur += ch
    if cur or any_:
        args.append(cur)
    return args


def man_entries():
    """{name: (tag line, body text)} of the man page's OPTIONS section, as text."""
    text = (REPO / "docs" / "autowrap.1").read_text()
    m = re.search(r"^\.SH OPTIONS\n(.*?)(?=^\.SH )", text, re.S | re.M)
    assert m, "man page has no OPTIONS section"
    out = {}
    for chunk in m.group(1).split(".TP\n")[1:]:
        tag, _, body = chunk.partition("\n")
        body = body.split("\n.PP\n")[0]
        tag = roff_plain(tag)
        body = " ".join(roff_plain(body).split())
        for name in re.findall(r"(?<![-\w])(--[a-z][a-z-]*|-\w)(?![-\w])", tag):
            out[name] = (tag, body)
    return out


def man_options():
    out = {}
    for name, (tag, _) in man_entries().items():
        if name.startswith("--"):
            after = tag[tag.index(name) + len(name):]
            if re.match(r"\s*\[\s*=\s*\w+\s*\]", after):
                out[name] = "opt"
            elif re.match(r"\s+[A-Z]+\b", after):
                out[name] = "req"
            else:
                out[name] = None
    for name, (tag, _) in man_entries().items():
        if not name.startswith("--"):
            longs = re.findall(r"--[a-z][a-z-]*", tag)
            out[name] = "req" if longs and out.get(longs[0]) else None
    return out


def zsh_options(path):
    """{name: arg} from the one-spec-a-line _arguments call of a zsh completion."""
    out = {}
    for line in path.read_text().splitlines():
        m = ZSH_SPEC_RX.match(line)
        if not m:
            continue
        names = m.group("names").strip("{}").split(",")
        rest = m.group("rest")
        for n in names:
            nm = re.match(r"^(--?[A-Za-z][-A-Za-z]*)([+=]?-?)$", n)
            assert nm, "zsh spec: cannot read %r in %r" % (n, line)
            if not rest.startswith(":"):
                arg = None
            elif rest.startswith("::") or nm.group(2) == "=-":
                arg = "opt"
            else:
                arg = "req"
            out[nm.group(1)] = arg
    return out
