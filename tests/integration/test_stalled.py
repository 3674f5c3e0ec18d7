"""autowrap stalled (SIGSTOP) while the tree floods records: the program is
slowed by one send timeout, not blocked; the records that could not be
delivered are counted in the runtime directory's "lost" file, autowrap says
so once resumed, and a manual restart records everything again."""

import signal
import time

from harness import *

N = 2000


class TestStalled(AWTestCase):

    def test_flood_while_stopped_is_counted_said_and_recoverable(self):
        for i in range(N):
            self.write("app/many/f%d.json" % i, "{}\n")
        self.write_app({"main.py": (
            "import time\n"
            "here = os.path.dirname(os.path.abspath(__file__))\n"
            "print('WAITING', flush=True)\n"
            "while not os.path.exists(os.path.join(here, 'go')):\n"
            "    time.sleep(0.01)\n"
            "for i in range(%d):\n"
            "    open(os.path.join(here, 'many', 'f%%d.json' %% i)).close()\n"
            "print('FLOODED', flush=True)\n" % N) + APP_READY})
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
        m = aw.expect_err(r"(\d+) records? could not be delivered in time \(autowrap stalled "
                          r"or overloaded\): what is watched may be incomplete; press Enter or "
                          r"send SIGHUP to restart and record again")
        self.assertGreater(int(m.group(1)), N // 2)
        # the way out it names: a manual restart records the whole set again
        aw.proc.send_signal(signal.SIGHUP)
        aw.generation(2)
        aw.expect_out(r"^FLOODED$")
        aw.ready()
        last = "app/many/f%d.json" % (N - 1)
        with open(self.tmp / last, "a") as f:
            f.write(" \n")
        aw.expect_change("f%d.json" % (N - 1))
        aw.started(3)
        self.assertEqual(self.starts(), 3, "app start count")


if __name__ == "__main__":
    main()
