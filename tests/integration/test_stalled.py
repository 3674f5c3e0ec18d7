"""autowrap stalled (SIGSTOP) while the tree floods records.

Through the record ring (preload/ring.h, 4096 records) and the socketpair
the tree inherits (AUTOWRAP_FD), thousands of records wait: none is lost. A
process that closed the pair and fills the ring uses the socket bound to a
path, whose queue holds 10: it is slowed by one send timeout, not blocked;
the records it could not deliver are counted in the runtime directory's
"lost" file, autowrap says so once resumed, and a manual restart records
everything again."""

import signal
import time

from harness import *

N = 2000
RING = 4096  # AW_RING_SLOTS


class TestStalled(AWTestCase):

    def flood_app(self, close_fds, n=N):
        self.n = n
        for i in range(n):
            self.write("app/many/f%d.json" % i, "{}\n")
        self.write_app({"main.py": (
            "import time\n"
            + ("os.closerange(3, 4096)  # the inherited channel too\n" if close_fds else "")
            + 
            "here = os.path.dirname(os.path.abspath(__file__))\n"
            "print('WAITING', flush=True)\n"
            "while not os.path.exists(os.path.join(here, 'go')):\n"
            "    time.sleep(0.01)\n"
            "for i in range(%d):\n"
            "    open(os.path.join(here, 'many', 'f%%d.json' %% i)).close()\n"
            "print('FLOODED', flush=True)\n" % n) + APP_READY})

    def stalled_flood(self):
        aw = self.start()
        aw.generation(1)
        aw.expect_out(r"^WAITING$")
        aw.proc.send_signal(signal.SIGSTOP)
        try:
            (self.app / "go").write_text("")
            # bounded: one send timeout (1 s), then the sends stop waiting
            aw.expect_out(r"^FLOODED$", timeout=30)
        finally:
            aw.proc.send_signal(signal.SIGCONT)
        aw.ready()
        return aw

    def edit_last(self, aw, gen):
        last = "app/many/f%d.json" % (self.n - 1)
        with open(self.tmp / last, "a") as f:
            f.write(" \n")
        aw.expect_change("f%d.json" % (self.n - 1))
        aw.started(gen)
        self.assertEqual(self.starts(), gen, "app start count")

    def test_flood_through_the_inherited_channel_loses_nothing(self):
        self.flood_app(close_fds=False)
        aw = self.stalled_flood()
        self.edit_last(aw, 2)
        self.assertFalse(any("could not be delivered" in l for l in aw.err.snapshot()),
                         aw.context())

    def test_flood_on_the_path_socket_is_counted_said_and_recoverable(self):
        # more than the ring holds, so that the rest meets the path socket
        self.flood_app(close_fds=True, n=RING + N)
        aw = self.stalled_flood()
        m = aw.expect_err(r"(\d+) records? could not be delivered in time \(autowrap stalled "
                          r"or overloaded\): what is watched may be incomplete; press Enter or "
                          r"send SIGHUP to restart and record again")
        self.assertGreater(int(m.group(1)), N // 2)
        # the way out it names: a manual restart records the whole set again
        aw.proc.send_signal(signal.SIGHUP)
        aw.generation(2)
        aw.expect_out(r"^FLOODED$")
        aw.ready()
        self.edit_last(aw, 3)


if __name__ == "__main__":
    main()
