extern alias WorkerAssembly;
using System.Text.Json;
using JobLogs.Tests.Support;
using WorkerAssembly::JobLogs.Worker.PythonTools;

namespace JobLogs.Tests.Worker;

/// <summary>
/// Tools run as real processes in their own session: a timeout or cancel stops the tool and every process it started;
/// what a tool leaves behind when it exits is stopped too; its structured entries arrive on the log pipe.
/// </summary>
public sealed class ToolProcessTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);

    private static ToolProcess.Command Python(string script, string? code = null) => new(
        Executable.Find("python3")!,
        code is null ? ["-u", Repository.Path("tools", script)] : ["-u", "-c", code],
        new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH")!, ["HOME"] = "/tmp" },
        Repository.Path("tools"));

    private sealed class Lines
    {
        private readonly List<string> _lines = [];
        public void Add(string line, bool cut) { lock (_lines) _lines.Add(line); }
        public IReadOnlyList<JsonElement> Entries { get { lock (_lines) return [.. _lines.Select(l => JsonDocument.Parse(l).RootElement.Clone())]; } }
    }

    private static (int Pid, int ChildPid) Pids(Lines lines)
    {
        var data = lines.Entries.Single(e => e.Str("msg") == "started a helper process").GetProperty("data");
        return (data.GetProperty("pid").GetInt32(), data.GetProperty("childPid").GetInt32());
    }

    [Fact]
    public async Task A_timeout_stops_the_tool_and_its_child_process()
    {
        var lines = new Lines();
        var result = await ToolProcess.RunAsync(Python("slow.py"), """{"seconds": 60}""", TimeSpan.FromSeconds(2), Grace, 4096, lines.Add, CancellationToken.None);

        Assert.Equal(ToolProcess.StopReason.Timeout, result.Stopped);
        Assert.InRange(result.Duration, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        var (pid, child) = Pids(lines);
        await Eventually.True(() => !Processes.IsAlive(pid) && !Processes.IsAlive(child), TimeSpan.FromSeconds(5), "both processes to be gone");
    }

    [Fact]
    public async Task A_cancel_stops_the_tool_and_its_child_process()
    {
        var lines = new Lines();
        using var cancel = new CancellationTokenSource();
        var run = ToolProcess.RunAsync(Python("slow.py"), """{"seconds": 60}""", TimeSpan.FromMinutes(1), Grace, 4096, lines.Add, cancel.Token);
        await Eventually.True(() => lines.Entries.Count > 0, TimeSpan.FromSeconds(10), "the tool's first entry");
        await cancel.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ToolProcess.StopReason.Canceled, result.Stopped);
        Assert.Null(result.Signal); // stopped by us, not killed by someone else
        var (pid, child) = Pids(lines);
        await Eventually.True(() => !Processes.IsAlive(pid) && !Processes.IsAlive(child), TimeSpan.FromSeconds(5), "both processes to be gone");
    }

    [Fact]
    public async Task Processes_a_tool_leaves_behind_are_stopped_when_it_exits()
    {
        var lines = new Lines();
        const string code = """
            import json, os, subprocess, sys
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
            os.write(int(os.environ["JOBLOGS_LOG_FD"]), (json.dumps({"level": "info", "msg": "started a helper process", "data": {"pid": os.getpid(), "childPid": child.pid}}) + "\n").encode())
            """;
        var result = await ToolProcess.RunAsync(Python("", code), "{}", TimeSpan.FromSeconds(30), Grace, 4096, lines.Add, CancellationToken.None);

        Assert.Equal((0, ToolProcess.StopReason.None), (result.ExitCode, result.Stopped));
        Assert.True(result.KilledLeftovers);
        await Eventually.True(() => !Processes.IsAlive(Pids(lines).ChildPid), TimeSpan.FromSeconds(5), "the left-behind child to be gone");
    }

    [Fact]
    public async Task A_tool_has_a_guard_outside_its_group_that_leaves_with_it_and_no_child_holds_the_life_pipe_open()
    {
        // The tool finds its guard (the process whose last argument is the tool's pid) and lists its own descriptors.
        var lines = new Lines();
        const string code = """
            import os
            import joblogs
            me = str(os.getpid()).encode()
            guards = []
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
                    if any(b"JobLogs tool guard" in a for a in argv) and argv[-2] == me:
                        guards.append({"pid": int(pid), "group": os.getpgid(int(pid))})
                except OSError:
                    pass
            fds = []
            for fd in os.listdir("/proc/self/fd"):
                try:
                    flags = int(open(f"/proc/self/fdinfo/{fd}").read().split("flags:")[1].split()[0], 8)
                    fds.append({"target": os.readlink(f"/proc/self/fd/{fd}"), "writes": flags & 3 != 0})
                except OSError:
                    pass
            joblogs.info("looked around", pid=os.getpid(), group=os.getpgid(0), guards=guards, fds=fds)
            """;
        var result = await ToolProcess.RunAsync(Python("", code), "{}", TimeSpan.FromSeconds(30), Grace, 4096, lines.Add, CancellationToken.None);

        Assert.Equal((0, ToolProcess.StopReason.None, false), (result.ExitCode, result.Stopped, result.KilledLeftovers));
        var data = Assert.Single(lines.Entries).GetProperty("data");
        var pid = data.GetProperty("pid").GetInt32();
        Assert.Equal(pid, data.GetProperty("group").GetInt32());
        var guard = Assert.Single(data.GetProperty("guards").EnumerateArray());
        Assert.NotEqual(pid, guard.GetProperty("group").GetInt32());
        // The worker's end of the life pipe is its own: a tool (and so a later tool's guard) only ever reads from it.
        var life = new FileInfo($"/proc/self/fd/{ToolGuard.ReadFd}").LinkTarget;
        var onLife = data.GetProperty("fds").EnumerateArray().Where(f => f.Str("target") == life).ToList();
        Assert.NotEmpty(onLife);
        Assert.All(onLife, f => Assert.False(f.GetProperty("writes").GetBoolean(), $"The tool holds the write end of {life}."));
        await Eventually.True(() => !Processes.IsAlive(guard.GetProperty("pid").GetInt32()), TimeSpan.FromSeconds(5), "the guard to leave with its tool");
    }

    [Fact]
    public async Task Entries_on_the_log_pipe_arrive_whole_and_in_order_and_stdout_stays_a_bounded_tail()
    {
        var lines = new Lines();
        const string code = """
            import json, sys
            import joblogs
            for i in range(2000):
                joblogs.info(f"entry {i}", i=i, text="x" * 100)
                print("stdout line", i)
            """;
        var result = await ToolProcess.RunAsync(Python("", code), "{}", TimeSpan.FromSeconds(30), Grace, 1024, lines.Add, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Enumerable.Range(0, 2000), lines.Entries.Select(e => e.GetProperty("data").GetProperty("i").GetInt32()));
        Assert.True(result.StdoutTail.Length <= 1025 && result.StdoutChars > 20_000, $"{result.StdoutTail.Length} of {result.StdoutChars}");
        Assert.EndsWith("stdout line 1999\n", result.StdoutTail);
    }
}
