#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets into tests/fuzz/corpus/<target>/.

The seeds are checked in; rerun this after changing the wire format or a
target's input layout (see the comment at the top of each fuzz_*.c). Files
named regress-* are inputs that once failed a target: they are kept by hand,
not written here, and replayed by every `make fuzz` run."""

import os
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"

# preload/wire.h
MAGIC, VERSION = 0xA7, 3
READ, STAT, MISSING, EXEC, LIB, WRITE, LISTED = range(1, 8)
FLAG_EXECING = 1


def datagram(kind, path, pid=1001, flags=0, ident=(7, 42, 1_700_000_000_000_000_000, 120,
                                                     1_700_000_000_000_000_000, 0o100644, 1,
                                                     1000, 1000)):
    if isinstance(path, str):
        path = path.encode()
    dev, ino, mtime, size, ctime, mode, nlink, uid, gid = ident
    hdr = struct.pack("<BBBBI", MAGIC, VERSION, kind, flags, pid)
    hdr += struct.pack("<QQqqqIIII", dev, ino, mtime, size, ctime, mode, nlink, uid, gid)
    assert len(hdr) == 64
    return hdr + path


NOIDENT = (0,) * 9

# fuzz_wire CTL bits
EXISTS, SAME, REG, EXE, DRAINED, FSEV, TIMER, EXIT = (1 << i for i in range(8))
SEEN = EXISTS | SAME | REG  # the supervisor sees what the program read


def stream(config, items):
    out = bytes([config])
    for ctl, dg in items:
        out += bytes([ctl]) + struct.pack("<H", len(dg)) + dg
    return out


def wire_seeds():
    start = [
        (SEEN | EXE, datagram(EXEC, "/usr/bin/python3", flags=FLAG_EXECING)),
        (SEEN, datagram(LIB, "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0")),
        (SEEN, datagram(READ, "/proj/app.py")),
        (SEEN, datagram(STAT, "/proj/conf/settings.toml")),
        (0, datagram(MISSING, "/proj/local_settings.py", ident=NOIDENT)),
        (0, datagram(WRITE, "/proj/app.log", ident=NOIDENT)),
        (SEEN | DRAINED, datagram(LISTED, "/proj/plugins", ident=NOIDENT)),
    ]
    odd = [
        (SEEN, datagram(READ, b"/proj/new\nline.py")),
        (SEEN, datagram(READ, b"/proj/tab\there $x #y.json")),
        (SEEN, datagram(READ, b"/proj/\xff\xfe latin-1 \xe9.py")),
        (SEEN, datagram(READ, "/proj/caf\u00e9/\u65e5\u672c.py")),
        (SEEN, datagram(READ, b"/proj/-leading-dash.py")),
        (SEEN | DRAINED, datagram(READ, "/" + "d/" * 2045 + "xx.py")),  # 4096 bytes
    ]
    restart = [
        (SEEN, datagram(READ, "/proj/app.py")),
        (SEEN | DRAINED | FSEV, datagram(READ, "/proj/greeting.py")),
        (TIMER, b""),
        (SEEN, datagram(READ, "/proj/app.py", pid=1002)),
        (SEEN | DRAINED | FSEV | TIMER, datagram(READ, "/proj/greeting.py", pid=1002)),
        (EXIT | 1, b""),
    ]
    good = datagram(READ, "/proj/ok.py")
    bad = [
        (SEEN, b"\x00" + good[1:]),                        # magic
        (SEEN, good[:1] + b"\x02" + good[2:]),             # version
        (SEEN, good[:2] + b"\x09" + good[3:]),             # kind
        (SEEN, good[:3] + b"\x02" + good[4:]),             # unknown flag
        (SEEN, good[:64]),                                 # no path
        (SEEN, good[:10]),                                 # short
        (SEEN, good[:64] + b"relative.py"),                # relative
        (SEEN, good + b"\x00tail"),                        # NUL in path
        (SEEN, datagram(READ, "/" + "a" * 4096)),          # one byte too long
        (SEEN | DRAINED, datagram(READ, "/proj/ok.py")),
    ]
    changed = [  # the file changed between the program's read and the record
        (EXISTS | REG, datagram(READ, "/proj/app.py")),
        (DRAINED, datagram(READ, "/proj/gone.py")),
        (EXISTS | REG | DRAINED, datagram(MISSING, "/proj/created.py", ident=NOIDENT)),
        (TIMER, b""),
    ]
    ignored = [
        (SEEN, datagram(READ, "/proj/build/gen.py")),
        (SEEN, datagram(READ, "/proj/node_modules/x/index.js")),
        (SEEN | DRAINED | FSEV, datagram(READ, "/proj/debug.log")),
    ]
    return {
        "start-run": stream(0x00, start),
        "start-verbose": stream(0x10, start),
        "list-text": stream(0x01, start + odd),
        "list-json": stream(0x03, start + odd),
        "list-make": stream(0x05, start + odd),
        "list-json-all": stream(0x0B, start),
        "odd-names-run": stream(0x00, odd),
        "restart": stream(0x00, restart),
        "malformed": stream(0x01, bad),
        "changed-under": stream(0x00, changed),
        "ignored": stream(0x00, ignored),
    }


def pathnorm_seeds():
    big = 128  # byte 0 >= 128: capacity AW_PATH_MAX + 1, as the shim has
    return {
        "abs": bytes([big]) + b"/a/./b//c/../d/",
        "dotdot-root": bytes([big]) + b"/../../x/..",
        "root": bytes([big]) + b"/",
        "relative": bytes([big]) + b"/home/u/proj\0../lib/./m.py",
        "relative-dot": bytes([big]) + b"/home/u\0.",
        "no-base": bytes([big]) + b"lib/m.py",
        "small-cap": bytes([9]) + b"/ab\0cd/../e",
        "exact-cap": bytes([6]) + b"/abcd",
        "dots-names": bytes([big]) + b"/a/.../..b/b../.hidden/./",
        "long": bytes([big]) + b"/" + b"seg/" * 1000 + b"../" * 500 + b"end",
        "bytes": bytes([big]) + b"/p\xff\xfe/\n\t/x",
    }


def options_seeds():
    def argv(*words):
        return b"\0".join(w.encode() if isinstance(w, str) else w for w in words)

    return {
        "plain": argv("python3", "app.py"),
        "list-json": argv("-l", "--format", "json", "-o", "deps.jsonl", "--", "python3", "app.py"),
        "list-make": argv("--list", "--format=make", "--target", "app", "make"),
        "short-combined": argv("-qc", "-d50", "-wconf", "-i", "*.log", "cmd", "-x"),
        "sockets": argv("-S", "8000", "-S", "[::1]:8001", "--socket=unix:/tmp/s.sock",
                        "--no-listen-pid", "server"),
        "numbers": argv("--poll=100", "--stop-timeout", "0.25", "--restart-code", "3",
                        "--debounce", "3600000", "cmd"),
        "ext": argv("--ext", ".py, toml,so", "--all", "-e", "rb", "ruby", "x.rb"),
        "signals": argv("-s", "SIGHUP", "--stop-signal", "int", "--signal=34", "nginx"),
        "verbose": argv("-v", "--poll", "--clear", "--quiet", "sh", "-c", "true"),
        "errors": argv("--format", "xml", "cmd"),
        "unknown": argv("--bogus=x", "cmd"),
        "missing-arg": argv("-d"),
        "help": argv("-h"),
        "version": argv("--version"),
        "dash": argv("-", "cmd"),
        "empty-command": argv("--", ""),
    }


def write(target, seeds):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (d / name).write_bytes(data)


def main():
    write("wire", wire_seeds())
    write("pathnorm", pathnorm_seeds())
    write("options", options_seeds())
    for t in sorted(os.listdir(CORPUS)):
        print("%s: %d seeds" % (t, len(os.listdir(CORPUS / t))))


if __name__ == "__main__":
    main()
