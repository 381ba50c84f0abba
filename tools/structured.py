"""Writes structured entries to its job log through the helper module, then succeeds.

stdin: {"items": 3}
Each item gets an info entry with named data; a warning and a message with braces show that the text is not a template.
"""
import json
import sys

import joblogs


def main() -> None:
    args = json.load(sys.stdin)
    items = int(args.get("items", 3))
    for i in range(items):
        joblogs.info(f"processed item {i + 1} of {items}", item=i + 1, size={"width": 64, "height": 64})
    joblogs.warning("one item had no alpha channel", item=2)
    joblogs.info("literal braces stay: {not a placeholder}")
    print(json.dumps({"items": items}))


if __name__ == "__main__":
    main()
