#!/usr/bin/env python3
"""Checks the stand-in against the recorded ComfyUI v0.8.0 capture (stdlib only).

1. Instance "replay", configured like the recorded server (only the corrupt
   checkpoint installed, input/example.png and a corrupt PNG in the input
   folder): replays every HTTP request and WebSocket session of capture-meta,
   capture-success and capture-errors and compares status codes, JSON shapes,
   meaningful values and per-prompt WebSocket message sequences.
2. Instance "triggers" (defaults, --token): replays capture-control (queue,
   delete, clear, interrupt), then checks the success path end to end and every
   failure trigger, the crash + respawn, and SIGTERM.
3. Instance "no-ws" (--websocket off): /ws refused, polling /history works.
4. A supervisor whose parent is killed exits and takes its server with it.

Prints what matched, the differences kept on purpose (with the reason) and any
mismatch; exits 1 on a mismatch. Usage: python3 selfcheck.py [-v]
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from checks.clients import STANDIN, Instance, WsClient, free_port, wait_until  # noqa: E402
from checks.replay import Replay  # noqa: E402
from checks.triggers import Triggers, ksampler_prompt, make_png  # noqa: E402

TOKEN = "selfcheck-secret-token-7f3a"


class Report:
    def __init__(self, verbose):
        self.verbose = verbose
        self.matched, self.kept_items, self.mismatches, self.notes = [], [], [], []

    def result(self, name, diffs):
        if diffs:
            self.mismatches.append((name, diffs))
            print(f"  DIFF  {name}")
            for d in diffs[:8]:
                print(f"        {d}")
        else:
            self.matched.append(name)
            if self.verbose:
                print(f"  ok    {name}")

    def diff(self, name, diffs):
        self.result(name, diffs)

    def kept(self, name, reason, ok):
        if ok:
            self.kept_items.append((name, reason))
            if self.verbose:
                print(f"  kept  {name}")
        else:
            self.result(name, [f"the expected (kept) difference did not show: {reason}"])

    def note(self, text):
        self.notes.append(text)


def prepare(base):
    """Folders as the capture kit had them: example.png and a corrupt PNG in input/."""
    for sub in ("output", "input"):
        os.makedirs(os.path.join(base, sub), exist_ok=True)
    big = make_png(768, 768, (40, 90, 160))
    with open(os.path.join(base, "input", "example.png"), "wb") as f:
        f.write(big)
    with open(os.path.join(base, "input", "comfykit_corrupt.png"), "wb") as f:
        f.write(b"this is not a PNG file, just bytes pretending to be one\n" * 3)
    return big, make_png(8, 8, (200, 30, 30))


def orphan_check(report, workdir):
    """Started under a shell that does not exec (like an interpreter shim), then the shell is killed: the
    supervisor and its server must exit by themselves and free the port."""
    port = free_port()
    with open(os.path.join(workdir, "orphan.stderr.log"), "w") as log:
        shell = subprocess.Popen(["bash", "-c", f'"{sys.executable}" "{STANDIN}" --port {port} & wait'],
                                 stdout=log, stderr=log, start_new_session=True)
    answered = wait_until(lambda: port_answers(port), 10)
    pids = [int(p) for p in subprocess.run(["pgrep", "-f", f"standin.py.*--port {port}"], capture_output=True,
                                           text=True).stdout.split() if int(p) != shell.pid]
    shell.kill()
    shell.wait()
    gone = wait_until(lambda: not any(os.path.exists(f"/proc/{pid}") and not zombie(pid) for pid in pids), 5)
    report.result("killing the supervisor's parent stops the supervisor and its server",
                  ([] if answered else ["the stand-in never answered"])
                  + ([] if len(pids) == 2 else [f"expected a supervisor and a server, found pids {pids}"])
                  + ([] if gone else ["a stand-in process outlived its parent"])
                  + ([] if not port_answers(port) else ["the port still answers"]))


def port_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


def section(title):
    print(f"\n== {title}")


def main():
    verbose = "-v" in sys.argv
    report = Report(verbose)
    workdir = tempfile.mkdtemp(prefix="standin-selfcheck-")
    started = time.monotonic()
    instances = []
    try:
        section("replay of capture-meta, capture-success, capture-errors (instance configured like the recording)")
        base_a = os.path.join(workdir, "replay")
        uploads = prepare(base_a)
        a = Instance("replay", workdir, [
            "--output-dir", os.path.join(base_a, "output"), "--input-dir", os.path.join(base_a, "input"),
            "--models", "", "--broken-models", "", "--corrupt-models", "comfykit_corrupt.safetensors",
            "--loras", "", "--step-delay-ms", "5"])
        instances.append(a)
        a.start()
        replay = Replay(a, base_a, report, uploads)
        for name in ("capture-meta.json", "capture-success.json", "capture-errors.json"):
            replay.run_file(name)
        code = a.stop()
        report.result("replay instance: SIGTERM -> exit 0", [] if code == 0 else [f"exit code {code}"])

        section("replay of capture-control, then the triggers (defaults, --token)")
        base_b = os.path.join(workdir, "triggers")
        prepare(base_b)
        b = Instance("triggers", workdir, [
            "--output-dir", os.path.join(base_b, "output"), "--input-dir", os.path.join(base_b, "input"),
            "--step-delay-ms", "10"], token=TOKEN)
        instances.append(b)
        b.start()
        Replay(b, base_b, report, uploads, slow_checkpoint="sd15-demo.safetensors").run_file("capture-control.json")
        report.note("capture-control's slow prompts (26 chained 2560px lanczos ImageScale nodes, slow only on a real "
                    "GPU) were replaced by a 1000-step KSampler prompt; their entries are compared by shape only")
        Triggers(b, report, step_delay_ms=10).run_all()
        code = b.stop()
        leaked = TOKEN in b.stderr_text()
        report.result("triggers instance: SIGTERM -> exit 0, port released, token never logged",
                      ([f"exit code {code}"] if code != 0 else []) + (["token in the log"] if leaked else [])
                      + ([] if not b.answers() else ["still answering after SIGTERM"]))

        section("--websocket off")
        base_c = os.path.join(workdir, "no-ws")
        prepare(base_c)
        c = Instance("no-ws", workdir, ["--output-dir", os.path.join(base_c, "output"),
                                        "--input-dir", os.path.join(base_c, "input"), "--websocket", "off"])
        instances.append(c)
        c.start()
        ws_status = WsClient(c.port, "/ws?clientId=x").status
        status, body = c.json("POST", "/prompt", {"prompt": ksampler_prompt(7, steps=3), "client_id": "x"})
        done = wait_until(lambda: c.json("GET", f"/history/{body['prompt_id']}")[1], 10)
        report.result("--websocket off: /ws answers 404, polling /history still sees the result",
                      ([f"/ws answered {ws_status}"] if ws_status != 404 else [])
                      + ([] if done and done[body["prompt_id"]]["status"]["status_str"] == "success"
                         else ["no successful history entry"]))
        c.stop()

        section("a supervisor whose parent dies")
        orphan_check(report, workdir)
    finally:
        for inst in instances:
            if inst.proc and inst.proc.poll() is None:
                inst.stop()

    section("summary")
    print(f"matched: {len(report.matched)} checks (status codes, JSON key sets/types/values, WebSocket sequences)")
    print(f"kept differences ({len(report.kept_items)}):")
    reasons = {}
    for name, reason in report.kept_items:
        reasons.setdefault(reason, []).append(name.split(":")[-1])
    for reason, names in reasons.items():
        print(f"  - {reason}\n      ({', '.join(names)})")
    for note in report.notes:
        print(f"note: {note}")
    print(f"mismatches: {len(report.mismatches)}")
    for name, diffs in report.mismatches:
        print(f"  - {name}: {diffs[0]}")
    print(f"took {time.monotonic() - started:.1f} s; logs in {workdir}" if report.mismatches
          else f"took {time.monotonic() - started:.1f} s")
    if not report.mismatches:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if report.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
