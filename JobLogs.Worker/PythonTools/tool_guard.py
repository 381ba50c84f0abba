# JobLogs tool guard: SIGKILLs a tool's process group when the worker that started it dies, by any means.
#
# argv: the fd of the worker's life pipe (the read end; the worker never writes to it, so it turns readable only at end
# of file, when the last write end closes: when the worker process is gone), and the tool's pid, which is its process
# group's id. Started by ToolGuard.cs through `setsid -f`: in a session of its own, outside the tool's group (so the
# worker's own kills of the group, and its count of leftovers, never include it), and never the tool's child.
import os
import select
import signal
import sys
import time

life, group = int(sys.argv[1]), int(sys.argv[2])
# Everything else came from the tool's side (its log pipe above all): let go of it at once, so that the worker reads
# the end of the tool's log pipe when the tool is done, not when this guard is.
os.closerange(3, life)
os.closerange(life + 1, os.sysconf("SC_OPEN_MAX"))

# Once the tool has exited, killing what it left in its group is the worker's job; the guard stays until the group is
# empty, so that a worker dying in between still takes the leftovers along, but not forever (a zombie counts too).
AFTER_THE_TOOL = 5.0
CHECK_EVERY_MS = 50


def group_has_processes():
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False


def worker_gone(poller, timeout_ms):
    return any(fd == life for fd, _ in poller.poll(timeout_ms))


worker = select.poll()
worker.register(life, select.POLLIN)
gone = False
until = float("inf")
try:
    tool = os.pidfd_open(group)  # readable once the tool exits
except ProcessLookupError:  # the tool is gone already
    tool = -1
except (AttributeError, OSError):  # no pidfd (Python < 3.9, Linux < 5.3): the group is watched the whole run
    tool = None
if tool is not None:
    if tool >= 0:
        both = select.poll()
        both.register(life, select.POLLIN)
        both.register(tool, select.POLLIN)
        gone = worker_gone(both, None)
    until = time.monotonic() + AFTER_THE_TOOL

while not gone and time.monotonic() < until and group_has_processes():
    gone = worker_gone(worker, CHECK_EVERY_MS)

if gone:
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass
