#!/usr/bin/env python3
"""ComfyUI stand-in: `python3 standin.py [flags]` (see README.md).

The process you start is a supervisor. It runs the server as a child process
(this script with --serve) and starts a new one on the same port whenever the
child dies, e.g. from the StandInCrash node, so a client sees a crash and a
restart like with a real ComfyUI under a process manager. Queue and history
live in the child's memory and are lost with it, as with the real server.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import config  # noqa: E402  (needs the path above when started from elsewhere)

EXIT_BIND_FAILED = 3


def serve(cfg):
    import api
    import executor
    import http_server
    import object_info
    import prompt_queue
    import websocket

    for folder in (cfg.output_dir, cfg.input_dir):
        os.makedirs(folder, exist_ok=True)
    if cfg.temp_dir is None:  # started with --serve directly, without the supervisor
        cfg.temp_dir = tempfile.mkdtemp(prefix="comfyui-standin-temp-")
    shutil.rmtree(cfg.temp_dir, ignore_errors=True)  # ComfyUI empties its temp folder on start
    os.makedirs(cfg.temp_dir, exist_ok=True)

    hub = websocket.Hub()
    queue = prompt_queue.PromptQueue(
        on_change=lambda: hub.send("status", {"status": {"exec_info": {"queue_remaining": queue.tasks_remaining()}}}))
    worker = executor.Executor(cfg, object_info.build(cfg), queue, hub)
    app = api.Api(cfg, queue, hub, worker)
    try:
        httpd = http_server.bind(cfg.host, cfg.port, app)
    except OSError as ex:
        print(f"standin: cannot listen on {cfg.host}:{cfg.port}: {ex}", file=sys.stderr)
        sys.exit(EXIT_BIND_FAILED)
    worker.start()
    # A server orphaned by a killed supervisor would hold the port forever; stop it instead.
    _when_parent_dies(lambda: os._exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's business
    print(f"standin: ComfyUI stand-in (pid {os.getpid()}) listening on http://{cfg.host}:{cfg.port} "
          f"output={cfg.output_dir} websocket={'on' if cfg.websocket else 'off'}", file=sys.stderr, flush=True)
    httpd.serve_forever()


def _when_parent_dies(action):
    """Calls `action` once this process's parent is gone (the process was re-parented)."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        action()
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def supervise(cfg, argv):
    temp_dir = tempfile.mkdtemp(prefix="comfyui-standin-temp-")
    env = dict(os.environ, **{config.TEMP_DIR_ENV: temp_dir})
    command = [sys.executable, os.path.abspath(__file__), "--serve", *argv]
    state = {"child": None, "stopping": False}

    def stop(signum, frame):
        state["stopping"] = True
        if state["child"] is not None:
            state["child"].terminate()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Whoever started the supervisor (an app host, a test) may die without signalling it, or signal only an
    # interpreter shim in between: a supervisor whose parent is gone stops its server and exits, so a stopped
    # app host never leaves a stand-in behind holding the port.
    _when_parent_dies(lambda: stop(None, None))

    code = 0
    while not state["stopping"]:
        started = time.monotonic()
        state["child"] = subprocess.Popen(command, env=env)
        if state["stopping"]:  # asked to stop while the child was starting
            state["child"].terminate()
        code = state["child"].wait()
        if state["stopping"]:
            code = 0
            break
        if code == EXIT_BIND_FAILED:
            break
        print(f"standin: server process exited with code {code}; restarting it on {cfg.host}:{cfg.port}",
              file=sys.stderr, flush=True)
        if time.monotonic() - started < 1.0:
            time.sleep(1.0)  # do not spin if it dies right away
    shutil.rmtree(temp_dir, ignore_errors=True)
    return code


def main(argv):
    cfg = config.parse(argv)
    if cfg.serve:
        serve(cfg)
    else:
        sys.exit(supervise(cfg, argv))


if __name__ == "__main__":
    main(sys.argv[1:])
