"""runs.py K OUT CMD...: run CMD K times, one after another, and write each
run's wall and CPU time (seconds) to OUT, one "wall cpu" line per run.
bench/lang-startup runs it under autowrap, so that CMD's runs are timed
under a supervisor that is already up (as every restart after the first
is), without autowrap's own start and exit in the figure."""
import resource
import subprocess
import sys
import time

k, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
lines = []
for _ in range(k):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if rc != 0:
        sys.exit("runs.py: %s failed (%d)" % (" ".join(cmd), rc))
    lines.append("%.6f %.6f" % (wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)))
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
