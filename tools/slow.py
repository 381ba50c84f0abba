"""Takes its time, as a long render or a download does: a progress line per interval, then a result.

stdin: {"seconds": 5, "every": 0.5}
Useful to watch a running job (live follow, cancel) without depending on how fast the machine is.
"""
import json
import sys
import time


def main() -> None:
    args = json.load(sys.stdin)
    seconds = float(args.get("seconds", 5))
    every = max(0.05, float(args.get("every", 0.5)))
    steps = max(1, int(seconds / every))
    for step in range(1, steps + 1):
        time.sleep(every)
        print(f"step {step} of {steps}", flush=True)
    print(json.dumps({"steps": steps}))


if __name__ == "__main__":
    main()
