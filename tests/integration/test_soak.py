"""Soak: 1000 restart cycles of a tiny app (a shell script that reads one
tracked file and execs sleep). The test saves that file (write a temporary
file, rename it over) once the app has started, and waits for the next
generation. Over all cycles:
  - the supervisor's open fd count is the same at the last cycle as at the
    first sample (generation 10), and its RSS has grown by at most 256 kB
    (both printed, first vs last);
  - no process of autowrap's tree, autowrap included, is a zombie at any
    sample (one per cycle, once the new generation runs: by then the last one
    must be stopped and reaped);
  - generation k is started exactly once and sees the edit that caused it:
    the app appends its pid to a start log and echoes the trigger's content.

Sanitizer build: each start runs an ASan-instrumented shim in two processes,
so 250 cycles there (SOAK_CYCLES overrides both). RSS is printed but not
bounded there: ASan's quarantine keeps freed memory (up to 256 MB) by design,
and the supervisor frees some 500 kB per cycle (stdio buffers of its /proc
reads). Leaks there are LeakSanitizer's: it runs when autowrap exits, and a
report would change its exit status from the 143 asserted below."""

from harness import *

CYCLES = int(os.environ.get("SOAK_CYCLES") or (250 if SANITIZED else 1000))
WARMUP = 10      # generation of the first sample: the supervisor's tables have grown
RSS_SLACK_KB = 256

APP = '''\
read v < "%(trigger)s"
echo "$$" >> "%(starts)s"
echo "GEN $v $$"
exec sleep 1000
'''


def children(pid):
    """Direct children of pid (all its threads), from /proc/PID/task/*/children."""
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def tree(root):
    out, todo = [], [root]
    while todo:
        for c in children(todo.pop()):
            out.append(c)
            todo.append(c)
    return out


def _idle(pid):
    """Blocked in poll (its wait for the next event): nothing half done."""
    try:
        with open("/proc/%d/wchan" % pid) as f:
            wchan = f.read()
    except OSError:
        return False
    return proc_state(pid) == "S" and "poll" in wchan


def supervisor_sample(pid, timeout=T):
    """(RSS kB, open fds) of the supervisor, read while it waits for events:
    between them it may hold a descriptor for a moment (a directory it
    lists, /proc while it looks for strays). Bounded by timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if _idle(pid):
            fds = len(os.listdir("/proc/%d/fd" % pid))
            with open("/proc/%d/status" % pid) as f:
                rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            if _idle(pid) and len(os.listdir("/proc/%d/fd" % pid)) == fds:
                return rss, fds
        if time.monotonic() >= deadline:
            raise AssertionError("autowrap (pid %d) never seen idle in poll within %ss"
                                 % (pid, timeout))
        time.sleep(0.005)


class TestSoak(AWTestCase):

    def test_restart_cycles_flat_no_zombie_each_generation_once(self):
        trigger = self.app / "trigger.conf"
        starts = self.state / "starts"
        self.write("app/app.sh", APP % {"trigger": trigger, "starts": starts})
        trigger.write_text("1\n")
        aw = self.start(["-d", "0"], cmd=["/bin/sh", str(self.app / "app.sh")])
        pids = []  # the app's pid in each generation
        zombies = []
        first = last = None
        t0 = time.monotonic()
        for k in range(1, CYCLES + 1):
            if k > 1:
                # One rename, one event: a write in place is two (truncate, write),
                # which with -d 0 are two restarts.
                tmp = self.app / ".trigger.tmp"
                tmp.write_text("%d\n" % k)
                os.replace(tmp, trigger)
                aw.expect_change("trigger.conf", verb="changed")
            aw.generation(k)
            m = aw.expect_out(r"^GEN (\d+) (\d+)$")
            self.assertEqual(int(m.group(1)), k, "generation %d read the trigger of another "
                             "cycle%s" % (k, aw.context()))
            pid = int(m.group(2))
            pids.append(pid)
            aw.seen_pids.add(pid)
            for p in [aw.pid] + tree(aw.pid):
                if proc_state(p) == "Z":
                    zombies.append((k, p))
            if k == min(WARMUP, CYCLES):
                first = supervisor_sample(aw.pid)
            if k == CYCLES:
                last = supervisor_sample(aw.pid)
        elapsed = time.monotonic() - t0
        print("\nsoak: %d generations in %.1f s; supervisor RSS %d kB at generation %d, "
              "%d kB at %d; open fds %d, then %d"
              % (CYCLES, elapsed, first[0], min(WARMUP, CYCLES), last[0], CYCLES,
                 first[1], last[1]), file=sys.stderr)
        self.assertEqual(zombies, [], "zombies (generation, pid) in autowrap's tree")
        # every generation started exactly once: one start each, all distinct
        logged = [int(x) for x in starts.read_text().split()]
        self.assertEqual(len(logged), CYCLES, "app starts for %d generations" % CYCLES)
        self.assertEqual(logged, pids, "start log and generations disagree")
        self.assertEqual(len(set(pids)), CYCLES, "a pid answered for two generations")
        self.assertEqual(last[1], first[1], "supervisor fd count grew: %s" % os.listdir(
            "/proc/%d/fd" % aw.pid))
        if not SANITIZED:
            self.assertLessEqual(last[0] - first[0], RSS_SLACK_KB,
                                 "supervisor RSS grew from %d kB to %d kB" % (first[0], last[0]))
        aw.send(signal.SIGTERM)
        self.assertEqual(aw.wait(), 143, aw.context())
        self.assertEqual(wait_gone(pids), [])


if __name__ == "__main__":
    main()
