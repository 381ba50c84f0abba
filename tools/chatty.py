"""Writes a lot to stdout, as a tool with verbose progress does; the worker keeps only the end of it.

stdin: {"lines": 20000}
"""
import json
import sys


def main() -> None:
    args = json.load(sys.stdin)
    lines = int(args.get("lines", 20000))
    for i in range(lines):
        print(f"step {i + 1} of {lines}: working on item {i * 7 % 1000:04d}")
    print(json.dumps({"lines": lines}))


if __name__ == "__main__":
    main()
