"""Fails with a traceback: a tool whose input is invalid.

stdin: {"value": "not a number"}
It raises ValueError from parse_value(), so the failure card points at this file and that line.
"""
import json
import sys


def parse_value(text: str) -> int:
    return int(text)  # raises ValueError for anything but an integer


def main() -> None:
    args = json.load(sys.stdin)
    print("parsing the input value", file=sys.stderr)
    value = parse_value(str(args.get("value", "not a number")))
    print(json.dumps({"value": value}))


if __name__ == "__main__":
    main()
