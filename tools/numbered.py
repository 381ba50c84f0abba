"""Writes numbered entries that carry the tag it was given: many jobs at once, each with a tag of its own, show that
every job's log holds its own entries and nothing of another's.

stdin: {"tag": "job-7", "entries": 8, "pause": 0.02}
Entry n (data.n = 1, 2, ..., msg "entry n of <tag>") carries data.tag; it pauses between entries, so that the runs of
jobs started together overlap. stdout, last line: {"tag": "job-7", "entries": 8}
"""
import json
import sys
import time

import joblogs


def main() -> None:
    args = json.load(sys.stdin)
    tag = str(args.get("tag", ""))
    entries = int(args.get("entries", 8))
    pause = float(args.get("pause", 0.02))
    for n in range(1, entries + 1):
        if n > 1:
            time.sleep(pause)
        joblogs.info(f"entry {n} of {tag}", n=n, tag=tag)
    print(json.dumps({"tag": tag, "entries": entries}))


if __name__ == "__main__":
    main()
