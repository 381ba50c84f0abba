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
