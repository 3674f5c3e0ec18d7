"""Helpers shared by the bench/ scripts (Python standard library only)."""
import os
import platform
import queue
import signal
import statistics
import subprocess
import sys
import threading
import time

PY = "/usr/bin/python3"


def paths(build):
    build = os.path.abspath(build)
    aw = os.path.join(build, "supervisor", "autowrap")
    shim = os.path.join(build, "preload", "libtrack.so")
    for p in (aw, shim):
        if not os.path.exists(p):
            sys.exit("bench: %s not found (build first: make build)" % p)
    return aw, shim


def clean_env(**extra):
    """The caller's environment minus anything that changes Python's or the
    shim's behaviour, plus extra."""
    env = dict(os.environ)
    for k in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "PYTHONPATH",
              "PYTHONSTARTUP", "PYTHONHOME", "LD_PRELOAD", "AUTOWRAP_SOCK",
              "AUTOWRAP_TRACE", "AUTOWRAP_EXT", "AUTOWRAP_ALL", "AUTOWRAP_LIB"):
        env.pop(k, None)
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


def make_package(root, n, name="pkg"):
    """root/name/ with n modules m0000..; __init__ imports them all."""
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    lines = []
    for i in range(n):
        with open(os.path.join(d, "m%04d.py" % i), "w") as f:
            f.write("VALUE = %d\n\ndef f(x):\n    return x + VALUE\n" % i)
        lines.append("from . import m%04d\n" % i)
    with open(os.path.join(d, "__init__.py"), "w") as f:
        f.writelines(lines)
    return d


def summary(xs):
    xs = sorted(xs)
    n = len(xs)
    return {
        "n": n,
        "min": xs[0],
        "median": statistics.median(xs),
        "p90": xs[min(n - 1, int(round(0.9 * (n - 1))))],
        "max": xs[-1],
    }


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s; nproc %d; CPU %s; kernel %s; python %s; load average %s" % (
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count() or 0, model,
        platform.release(), platform.python_version(),
        " ".join("%.2f" % x for x in os.getloadavg()))


class LineReader:
    """Read a pipe line by line in a thread; lines() with a timeout."""

    def __init__(self, stream):
        self.q = queue.Queue()
        self.all = []
        t = threading.Thread(target=self._run, args=(stream,), daemon=True)
        t.start()

    def _run(self, stream):
        for raw in iter(stream.readline, b""):
            now = time.monotonic_ns()
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.all.append(line)
            self.q.put((now, line))
        self.q.put((time.monotonic_ns(), None))

    def wait_for(self, pred, timeout):
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            try:
                now, line = self.q.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            if pred(line):
                return now, line


def stop(proc, timeout=10):
    """SIGINT (Ctrl-C) to autowrap, bounded; SIGKILL if it does not go."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
