"""Runs for a while and starts a child process of its own: what a timeout, a deadline or a cancel must stop whole.

stdin: {"seconds": 60, "tick": 0.1}
It logs its pid and its child's pid (data.pid, data.childPid) through the helper module, then sleeps. With "tick", it
logs a numbered entry (data.tick = 1, 2, ...) every tick seconds while it sleeps, so its job log keeps growing.
"""
import json
import os
import subprocess
import sys
import time

import joblogs


def main() -> None:
    args = json.load(sys.stdin)
    seconds = float(args.get("seconds", 60))
    tick = float(args.get("tick", 0))
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    joblogs.info("started a helper process", pid=os.getpid(), childPid=child.pid)
    if tick > 0:
        end = time.monotonic() + seconds
        n = 0
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(tick, left))
            n += 1
            joblogs.info("tick", tick=n)
    else:
        time.sleep(seconds)
    child.kill()
    print(json.dumps({"slept": seconds}))


if __name__ == "__main__":
    main()
