"""Prints secrets, as a careless tool does: the whole-app redaction tests run it; no real job should.

stdin: {"corpus": "<corpus.json>", "configured": "<a resolved secret>", "short": "<a short resolved secret>", "fail": true}
It writes every corpus text to stderr and stdout (each line tagged with its item id), the configured secret in the
forms tools write it in, and the texts no rule may touch. When the worker hands it a log pipe (JOBLOGS_LOG_FD) it also
writes them there as structured entries, so the Python helper's path is covered by the same corpus. Then it fails
with an exception whose message holds secrets, or succeeds with an output that holds them.
"""
import base64
import json
import os
import sys
import urllib.parse


def encoded_forms(secret: str) -> dict:
    raw = secret.encode("utf-8")
    quoted = urllib.parse.quote(secret, safe="")
    return {
        "plain": secret,
        "url-encoded": quoted,
        "base64": base64.b64encode(raw).decode(),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "json": json.dumps(secret),
        "json-unicode": json.dumps(secret, ensure_ascii=False),
        "basic": "Basic " + base64.b64encode(b"ada:" + raw).decode(),
        "in-url": f"https://ada:{quoted}@comfy.example/prompt",
    }


def helper_entries(entries: list) -> None:
    """Structured entries (level, msg, data) on the worker's log pipe, when it hands one over."""
    fd = os.environ.get("JOBLOGS_LOG_FD")
    if not fd:
        return
    with os.fdopen(int(fd), "w", encoding="utf-8", closefd=False) as pipe:
        for entry in entries:
            pipe.write(json.dumps(entry) + "\n")


def main() -> None:
    args = json.load(sys.stdin)
    with open(args["corpus"], encoding="utf-8") as f:
        corpus = json.load(f)
    configured = args["configured"]
    entries = []
    for item in corpus["items"]:
        line = f"[{item['id']}] {item['text']}"
        print(line, file=sys.stderr)
        print(line)
        entries.append({"level": "warn", "msg": line, "data": {"item": item["id"], "text": item["text"], "password": item["text"]}})
    for name, form in encoded_forms(configured).items():
        line = f"[configured-{name}] {form}"
        print(line, file=sys.stderr)
        print(line)
        entries.append({"level": "info", "msg": line, "data": {"form": name, "value": form}})
    print(f"[short] the short secret is '{args['short']}'; {' | '.join(corpus['clean'])}")
    print("[tools] running " + os.path.abspath(__file__), file=sys.stderr)
    helper_entries(entries)

    tokens = {item["id"]: item["secret"] for item in corpus["items"]}
    if args.get("fail"):
        raise RuntimeError(
            f"could not authenticate to https://svc:{tokens['url-password']}@comfy.example with {tokens['hf-token']} "
            f"and key {configured}")
    print(json.dumps({
        "traceparent": os.environ.get("TRACEPARENT"),
        "echo": {"password": tokens["env-password"], "note": "pushed with " + tokens["github-classic"], "configured": configured},
        "clean": corpus["clean"][:5],
    }))


if __name__ == "__main__":
    main()
