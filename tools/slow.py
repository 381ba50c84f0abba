"""Runs for a while and starts a child process of its own: what a timeout, a deadline or a cancel must stop whole.

stdin: {"seconds": 60}
It logs its pid and its child's pid (data.pid, data.childPid) through the helper module, then sleeps.
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
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    joblogs.info("started a helper process", pid=os.getpid(), childPid=child.pid)
    time.sleep(seconds)
    child.kill()
    print(json.dumps({"slept": seconds}))


if __name__ == "__main__":
    main()
