"""Fails at import: a tool whose dependency is not installed in the interpreter JobLogs uses.

stdin: {}
"""
import json
import sys

import joblogs_example_dependency  # not installed anywhere: the job fails with ModuleNotFoundError


def main() -> None:
    json.load(sys.stdin)
    print(json.dumps({"version": joblogs_example_dependency.__version__}))


if __name__ == "__main__":
    main()
