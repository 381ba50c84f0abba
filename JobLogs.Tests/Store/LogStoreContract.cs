using System.Text;
using System.Text.Json;
using JobLogs.Api.Logs;
using JobLogs.Api.Store;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Store;

/// <summary>
/// What every log store does, tested through <see cref="ILogStore"/> alone: appends by line with their offsets, windows
/// by offset in both directions (the very windows and bytes of the log's JSONL, as files mode reads them), batches,
/// the job log cap, deletion and runtime-log trimming.
/// </summary>
public abstract class LogStoreContract : IAsyncLifetime
{
    /// <summary>The job log cap the store is made with.</summary>
    private protected const long CapBytes = 4096;

    private protected ILogStore Logs { get; private set; } = null!;

    /// <summary>A store over empty storage of its own, its job logs capped at <see cref="CapBytes"/>.</summary>
    private protected abstract Task<ILogStore> CreateAsync();

    public async Task InitializeAsync() => Logs = await CreateAsync();

    public virtual Task DisposeAsync()
    {
        Logs.Dispose();
        return Task.CompletedTask;
    }

    private protected static byte[] Line(string msg) => Encoding.UTF8.GetBytes($"{{\"level\":\"info\",\"msg\":\"{msg}\"}}\n");

    /// <summary>All a window says: its bounds, and each line with its bytes.</summary>
    private protected static string Shown(LogWindow window) =>
        $"{window.Start}..{window.End} of {window.Size} truncated={window.Truncated}: "
        + string.Join(" | ", window.Lines.Select(l => $"{l} {Convert.ToHexString(window.Bytes(l))}"));

    private static string Said(JobLinesAppended appended) => $"{appended.Outcome} {string.Join(",", appended.Offsets)}";

    private static LogName NewJob() => LogName.Job(ApiFactory.NewProjectId(), "20260601-120000-0000abcd");

    [Fact]
    public async Task A_log_never_written_reads_as_empty()
    {
        using var log = await Logs.OpenAsync(NewJob());
        Assert.Equal((false, 0L, (DateTimeOffset?)null), (log.Exists, log.Length, log.LastWriteAt));
        using var window = await log.BeforeAsync(0, 80_000);
        Assert.Empty(window.Lines);
        Assert.Equal(0, await Logs.SizeAsync(NewJob()));
    }

    [Fact]
    public async Task Appended_lines_come_back_by_offset_forward_and_backward_and_as_the_same_bytes()
    {
        var name = LogName.Events(ApiFactory.NewProjectId());
        var lines = Enumerable.Range(0, 5).Select(i => Line($"event {i}")).ToList();
        var offsets = lines.Select(line => Logs.Append(name, line)).ToList();
        Assert.Equal(lines.Select((_, i) => (long)lines.Take(i).Sum(l => l.Length)), offsets);

        using var log = await Logs.OpenAsync(name);
        Assert.Equal(lines.Sum(l => l.Length), log.Length);
        Assert.NotNull(log.LastWriteAt);
        using (var forward = await log.AfterAsync(offsets[1], 80_000))
            Assert.Equal(offsets.Skip(1), forward.Lines.Select(l => l.Offset));
        using (var backward = await log.BeforeAsync(offsets[3], 80_000))
            Assert.Equal(offsets.Take(3), backward.Lines.Select(l => l.Offset));
        using (var limited = await log.AfterAsync(0, 80_000, limit: offsets[2]))
            Assert.Equal(offsets.Take(2), limited.Lines.Select(l => l.Offset));

        using var copy = new MemoryStream();
        await log.CopyToAsync(copy, offsets[1], offsets[4], CancellationToken.None);
        Assert.Equal(lines.Skip(1).Take(3).SelectMany(l => l), copy.ToArray());
    }

    [Fact]
    public async Task A_watch_wakes_at_the_next_line_appended_to_its_log_and_to_no_other()
    {
        var name = NewJob();
        using var watch = Logs.Watch(name);
        var next = watch.NextAppend();
        Logs.AppendToJob(new JobKey(name.Owner, "20260601-120000-0000ffff", 1), Line("another job"), wantOffset: false, out _);
        Logs.Append(LogName.Events(name.Owner), Line("an event of its project"));
        Logs.AppendToRuntime(Line("the service's own"), RuntimeLine.Ordinary);
        Assert.False(next.IsCompleted);

        Logs.AppendToJob(new JobKey(name.Owner, name.JobId!, 1), Line("its line"), wantOffset: false, out _);
        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(watch.NextAppend().IsCompleted); // the next wait is for the next line
    }

    [Fact]
    public async Task A_reader_sees_lines_appended_after_it_opened()
    {
        var name = NewJob();
        var job = new JobKey(name.Owner, name.JobId!, 1);
        Logs.AppendToJob(job, Line("first"), wantOffset: false, out _);
        using var log = await Logs.OpenAsync(name);
        Logs.AppendToJob(job, Line("second"), wantOffset: false, out _);

        Assert.Equal(Line("first").Length + Line("second").Length, log.Length);
        using var window = await log.AfterAsync(Line("first").Length, 80_000);
        Assert.Equal("{\"level\":\"info\",\"msg\":\"second\"}", Encoding.UTF8.GetString(window.Bytes(Assert.Single(window.Lines))));
    }

    [Fact]
    public async Task Job_lines_land_at_the_offsets_given_and_the_cap_drops_the_rest_after_one_marker()
    {
        var name = NewJob();
        var job = new JobKey(name.Owner, name.JobId!, 1);
        var line = Line(new string('x', 1000));
        var outcomes = new List<(JobLogAppend Outcome, long Offset)>();
        for (var i = 0; i < 6; i++)
            outcomes.Add((Logs.AppendToJob(job, line, wantOffset: true, out var offset), offset));

        Assert.Equal(CapBytes, Logs.JobLogCapBytes);
        var appended = outcomes.TakeWhile(o => o.Outcome == JobLogAppend.Appended).ToList();
        Assert.Equal(appended.Select((_, i) => (long)i * line.Length), appended.Select(o => o.Offset));
        Assert.Equal(JobLogAppend.CapReached, outcomes[appended.Count].Outcome);
        Assert.All(outcomes.Skip(appended.Count + 1), o => Assert.Equal(JobLogAppend.Dropped, o.Outcome));

        Logs.AppendMarkerToJob(job, Line("cap reached"));
        using var log = await Logs.OpenAsync(name);
        using var window = await log.AfterAsync(0, 80_000);
        Assert.Equal(appended.Count + 1, window.Lines.Count);
        Assert.Contains("cap reached", Encoding.UTF8.GetString(window.Bytes(window.Lines[^1])));
    }

    [Fact]
    public async Task A_batch_of_job_lines_lands_as_single_appends_would_and_stops_at_the_cap_after_one_marker()
    {
        var name = NewJob();
        var job = new JobKey(name.Owner, name.JobId!, 1);
        var line = Line(new string('y', 900));
        var own = Line("the api's own");
        ReadOnlyMemory<byte>[] three = [line, line, line];

        var first = await Logs.AppendToJobAsync(job, three);
        Logs.AppendToJob(job, own, wantOffset: true, out var between);
        var second = await Logs.AppendToJobAsync(job, three);
        var third = await Logs.AppendToJobAsync(job, [line]);

        Assert.Equal($"Appended 0,{line.Length},{2 * line.Length}", Said(first));
        Assert.Equal(3 * line.Length, between);
        Assert.Equal($"CapReached {3 * line.Length + own.Length},-1,-1", Said(second));
        Assert.Equal("Dropped -1", Said(third));
        Logs.AppendMarkerToJob(job, Line("cap reached"));
        using var log = await Logs.OpenAsync(name);
        Assert.Equal(4 * line.Length + own.Length + Line("cap reached").Length, log.Length);
    }

    [Fact]
    public async Task Windows_and_copies_are_those_of_the_jsonl_bytes_whatever_the_lines_hold()
    {
        // A stored line is whatever bytes were appended: not JSON, empty, blank, CRLF, longer than a window, or a line
        // handed over in two parts and a last one still without its newline (torn).
        var name = LogName.Events(ApiFactory.NewProjectId());
        byte[][] parts =
        [
            Line("one"), "not json at all\n"u8.ToArray(), "\n"u8.ToArray(), "   \n"u8.ToArray(), "{\"msg\":\"crlf\"}\r\n"u8.ToArray(),
            Line(new string('l', 500)), Line("unicode: é ü ✓"), "{\"msg\":\"in two"u8.ToArray(), " parts\"}\n"u8.ToArray(),
            Line("last whole"), "{\"msg\":\"still being writ"u8.ToArray(),
        ];
        var offsets = parts.Select(part => Logs.Append(name, part)).ToList();
        byte[] jsonl = [.. parts.SelectMany(part => part)];
        Assert.Equal(parts.Select((_, i) => (long)parts.Take(i).Sum(p => p.Length)), offsets);

        using var log = await Logs.OpenAsync(name);
        Assert.Equal(jsonl.Length, log.Length);
        LogWindow.ReadAt file = (buffer, offset) =>
        {
            var n = (int)Math.Max(0, Math.Min(buffer.Length, jsonl.Length - offset));
            jsonl.AsSpan((int)offset, n).CopyTo(buffer);
            return n;
        };
        long[] at = [0, 1, 14, 15, 30, 31, 40, 100, 300, 600, jsonl.Length - 30, jsonl.Length - 1, jsonl.Length];
        foreach (var offset in at)
            foreach (var maxBytes in new[] { 1, 7, 64, 300, 80_000 })
            {
                using (var expected = LogWindow.Backward(file, offset, maxBytes, jsonl.Length))
                using (var actual = await log.BeforeAsync(offset, maxBytes))
                    Assert.Equal(Shown(expected), Shown(actual));
                using (var expected = LogWindow.Forward(file, offset, maxBytes, jsonl.Length, jsonl.Length))
                using (var actual = await log.AfterAsync(offset, maxBytes))
                    Assert.Equal(Shown(expected), Shown(actual));
                var limit = Math.Min(jsonl.Length, offset + 200);
                using (var expected = LogWindow.Forward(file, offset, maxBytes, limit, jsonl.Length))
                using (var actual = await log.AfterAsync(offset, maxBytes, limit))
                    Assert.Equal(Shown(expected), Shown(actual));
            }

        foreach (var (from, to) in new (long, long)[] { (0, jsonl.Length), (3, 21), (offsets[5] + 10, offsets[7] + 4), (jsonl.Length - 5, jsonl.Length + 100) })
        {
            using var copy = new MemoryStream();
            await log.CopyToAsync(copy, from, to, CancellationToken.None);
            Assert.Equal(jsonl[(int)from..(int)Math.Min(to, jsonl.Length)], copy.ToArray());
        }
    }

    [Fact]
    public async Task A_reader_opened_before_its_runtime_log_was_trimmed_reads_on_the_lines_it_had()
    {
        var web = LogName.Runtime("web");
        Logs.Append(web, Line("before the trim"));
        using var before = await Logs.OpenAsync(web);
        Assert.NotNull(await Logs.TrimRuntimeAsync("web", 10, 2));
        Logs.Append(web, Line("after"));

        Assert.Equal((true, Line("before the trim").Length), (before.Exists, before.Length));
        using (var window = await before.AfterAsync(0, 80_000))
            Assert.Contains("before the trim", Encoding.UTF8.GetString(window.Bytes(Assert.Single(window.Lines))));
        using var now = await Logs.OpenAsync(web);
        Assert.Equal(Line("after").Length, now.Length);
    }

    [Fact]
    public async Task Concurrent_appends_never_tear_or_lose_a_line()
    {
        var name = LogName.Events(ApiFactory.NewProjectId());
        var offsets = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => Logs.Append(name, Line($"line {i:000}")))));

        using var log = await Logs.OpenAsync(name);
        using var window = await log.AfterAsync(0, 1 << 20);
        Assert.Equal(offsets.Order(), window.Lines.Select(l => l.Offset));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"line {i:000}"),
            window.Lines.Select(l => JsonDocument.Parse(window.Bytes(l).ToArray()).RootElement.GetProperty("msg").GetString()).Order());
    }

    [Fact]
    public async Task A_deleted_log_frees_its_bytes_and_reads_as_empty()
    {
        var name = NewJob();
        Logs.AppendToJob(new JobKey(name.Owner, name.JobId!, 1), Line("gone soon"), wantOffset: false, out _);
        var size = await Logs.SizeAsync(name);

        Assert.Equal(Line("gone soon").Length, size);
        Assert.Equal(size, await Logs.DeleteAsync(name));
        Assert.Equal(0, await Logs.SizeAsync(name));
        using var log = await Logs.OpenAsync(name);
        Assert.False(log.Exists);
    }

    [Fact]
    public async Task A_runtime_log_past_its_size_starts_again_and_keeps_only_the_generations_asked()
    {
        var web = LogName.Runtime("web");
        Assert.Null(await Logs.TrimRuntimeAsync("web", 100, 2)); // nothing written yet
        var trims = new List<RuntimeLogTrim?>();
        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < 3; i++)
                Logs.Append(web, Line($"round {round} line {i}"));
            trims.Add(await Logs.TrimRuntimeAsync("web", 100, 2));
            using var log = await Logs.OpenAsync(web);
            Assert.Equal(0, log.Length);
        }

        Assert.All(trims, trim => Assert.Equal(3 * Line("round 0 line 0").Length, trim!.Bytes));
        Assert.Equal(new[] { 0, 1, 2, 3 }, trims.Select(t => t!.Generation));
        Assert.Equal(new[] { 0, 0, 1, 1 }, trims.Select(t => t!.RemovedGenerations.Count));
        Logs.Append(web, Line("small"));
        Assert.Null(await Logs.TrimRuntimeAsync("web", 100, 2)); // within its size
    }

    [Fact]
    public async Task The_services_own_runtime_lines_are_read_as_its_runtime_log()
    {
        Logs.AppendToRuntime(Line("from the pipeline"), RuntimeLine.Ordinary);
        using var log = await Logs.OpenAsync(LogName.Runtime("worker"));
        using var window = await log.AfterAsync(0, 80_000);
        Assert.Contains("from the pipeline", Encoding.UTF8.GetString(window.Bytes(Assert.Single(window.Lines))));
    }
}
