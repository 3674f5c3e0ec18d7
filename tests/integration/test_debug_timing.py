"""AUTOWRAP_DEBUG_TIMING=1 (bench/restart-breakdown): a restart's phases are
stamped on stderr, in the order they happen, by the supervisor and by the new
generation's shim; without the variable there is no stamp at all."""

import re

from harness import *

STAMP_RX = re.compile(r"^\[autowrap-timing\] (\d+) (\S+) (\d+)$")
ORDER = ["fs-event", "signal", "child-reaped", "group-gone", "fork", "exec",
         "shim-init-begin", "shim-init-end"]


class TestDebugTiming(AWTestCase):

    def stamps(self, aw):
        out = []
        for line in aw.err.snapshot():
            m = STAMP_RX.match(line)
            if m:
                out.append((int(m.group(1)), m.group(2), int(m.group(3))))
        return out

    def test_restart_phases_are_stamped_in_order(self):
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": "V = 1\n"})
        aw = self.start(env=self.env({"AUTOWRAP_DEBUG_TIMING": "1"}))
        pid1 = aw.started(1)
        # stderr is read by its own thread: wait for the stamp the app wrote before READY
        aw.expect_err(r"^\[autowrap-timing\] \d+ shim-init-end %d$" % pid1)
        first = self.stamps(aw)
        # generation 1: fork and exec by autowrap, the shim's constructor in the app
        self.assertEqual([s[1] for s in first if s[1] != "exec-seen"][:4],
                         ["fork", "exec", "shim-init-begin", "shim-init-end"], first)
        self.assertEqual({s[2] for s in first if s[1].startswith("shim-")}, {pid1})
        n1 = len(first)
        self.edit_py("app/mod.py")
        aw.expect_change("mod.py")
        pid2 = aw.started(2)
        aw.expect_err(r"^\[autowrap-timing\] \d+ shim-init-end %d$" % pid2)
        later = self.stamps(aw)[n1:]
        phases = [s[1] for s in later]
        firsts = []
        for p in ORDER:
            self.assertIn(p, phases, later)
            firsts.append(next(s for s in later if s[1] == p))
        # in order, on one clock; the new generation's stamps carry its pid.
        # The inotify event's stamp may come after the signal (seen once
        # under a loaded make check, 1.2 ms after it): a record of generation
        # 1 still in flight when the edit lands can have its confirm look
        # find the change first.
        self.assertEqual([s[0] for s in firsts[1:]], sorted(s[0] for s in firsts[1:]), firsts)
        self.assertEqual({s[2] for s in firsts[5:]}, {pid2}, firsts)
        self.assertEqual({s[2] for s in firsts[:5]}, {aw.pid}, firsts)

    def test_no_stamp_without_the_variable(self):
        self.write_app({"main.py": "import mod\n" + APP_READY, "mod.py": "V = 1\n"})
        aw = self.start(env=self.env({"AUTOWRAP_DEBUG_TIMING": "0"}))
        aw.started(1)
        self.edit_py("app/mod.py")
        aw.expect_change("mod.py")
        aw.started(2)
        self.assertEqual(self.stamps(aw), [])


if __name__ == "__main__":
    main()
