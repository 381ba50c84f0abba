"""Greets someone: the smallest tool that succeeds with an output.

stdin: {"name": "Ada", "count": 2}
stdout, last line: {"greeting": "Hello, Ada!", "count": 2}
"""
import json
import sys


def main() -> None:
    args = json.load(sys.stdin)
    name = args.get("name", "world")
    count = int(args.get("count", 1))
    print(f"greeting {name} {count} time(s)")
    print(json.dumps({"greeting": f"Hello, {name}!", "count": count}))


if __name__ == "__main__":
    main()
