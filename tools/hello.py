"""Greets someone: the smallest tool that succeeds with an output.

stdin: {"name": "Ada", "count": 2, "file": true}
stdout, last line: {"greeting": "Hello, Ada!", "count": 2}
With "file": true it also writes greeting.txt into JOBLOGS_OUTPUT_DIR, which the worker uploads as the job's asset.
"""
import json
import os
import sys


def main() -> None:
    args = json.load(sys.stdin)
    name = args.get("name", "world")
    count = int(args.get("count", 1))
    print(f"greeting {name} {count} time(s)")
    if args.get("file"):
        with open(os.path.join(os.environ["JOBLOGS_OUTPUT_DIR"], "greeting.txt"), "w", encoding="utf-8") as out:
            out.write(f"Hello, {name}!\n" * count)
    print(json.dumps({"greeting": f"Hello, {name}!", "count": count}))


if __name__ == "__main__":
    main()
