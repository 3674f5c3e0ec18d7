"""autowrap demo app: imports greeting.py, reads config.json, prints a line,
then idles. Edit either file while it runs under autowrap and watch it restart.

    build/supervisor/autowrap -- /usr/bin/python3 examples/app.py
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import greeting  # noqa: E402  (after the path set-up on purpose)


def main():
    with open(os.path.join(HERE, "config.json")) as f:
        config = json.load(f)
    print(greeting.greet(config.get("name", "world")), "(pid %d)" % os.getpid(), flush=True)
    interval = float(config.get("tick_seconds", 0))
    ticks = 0
    while True:
        if interval > 0:
            time.sleep(interval)
            ticks += 1
            print("tick", ticks, flush=True)
        else:
            time.sleep(3600)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
