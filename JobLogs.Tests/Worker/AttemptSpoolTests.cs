extern alias WorkerAssembly;
using System.Text;
using System.Text.Json;
using JobLogs.Tests.Support;
using WorkerAssembly::JobLogs.Worker.Spool;

namespace JobLogs.Tests.Worker;

/// <summary>
/// One attempt's spool on a real file: lines numbered by seq in the line itself, the file readable by its owner only and
/// locked while its process lives, taken over whole after a crash, a full spool's drops told by one marker, and the file
/// compacted as the Api takes its lines — with the seqs going on unbroken.
/// </summary>
public sealed class AttemptSpoolTests : IDisposable
{
    private static readonly SpoolHeader Header = new("p-spool", "j-spool", 2, "lease-token-1", "w-1");
    private readonly TempDirectory _folder = new("spool");

    private string SpoolFile => _folder.File("p-spool.j-spool.2.spool");

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Lines_are_numbered_after_their_attempt_in_a_file_only_the_worker_can_read()
    {
        using var spool = AttemptSpool.Create(SpoolFile, Header, new SpoolBudget(1 << 20), "worker");
        Assert.True(spool.Append(Line("first")));
        Assert.True(spool.Append(Line("second")));

        var lines = LockedFiles.ReadAllLines(SpoolFile);
        Assert.Equal("lease-token-1", JsonDocument.Parse(lines[0]).RootElement.GetProperty("leaseToken").GetString());
        Assert.Equal("""{"ts":"2026-12-07T12:00:00+00:00","level":"info","component":"worker","projectId":"p-spool","jobId":"j-spool","attempt":2,"seq":1,"msg":"first"}""", lines[1]);
        Assert.Equal(2, JsonDocument.Parse(lines[2]).RootElement.GetProperty("seq").GetInt64());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SpoolFile));
        Assert.Equal(2, spool.LastSeq);
    }

    [Fact]
    public void A_spool_is_taken_over_only_once_its_owner_is_gone_with_a_torn_last_line_cut_off()
    {
        var budget = new SpoolBudget(1 << 20);
        var owner = AttemptSpool.Create(SpoolFile, Header, budget, "worker");
        for (var i = 1; i <= 3; i++)
            owner.Append(Line($"tick {i}"));

        Assert.Null(AttemptSpool.Adopt(SpoolFile, budget, "worker", out _));

        owner.Dispose();
        File.AppendAllText(SpoolFile, """{"ts":"2026-12-07T12:00:01+00:00","level":"info","comp""");
        using var adopted = AttemptSpool.Adopt(SpoolFile, budget, "worker", out var last);

        Assert.NotNull(adopted);
        Assert.Equal((Header, 3L), (adopted.Header, adopted.LastSeq));
        Assert.Equal("tick 3", SpoolLines.Summary(last).Msg);
        Assert.EndsWith("\"seq\":3,\"msg\":\"tick 3\"}\n", LockedFiles.ReadAllText(SpoolFile));
        // It goes on where the dead worker stopped.
        adopted.Append(Line("worker restarted"));
        Assert.Equal(4, adopted.LastSeq);
    }

    [Fact]
    public void A_full_spool_drops_lines_and_one_marker_says_how_many_before_the_next_line_that_fits()
    {
        var line = Line("x");
        var other = new SpoolHeader("p-spool", "j-other", 1, "lease-token-2", "w-1");
        var budget = new SpoolBudget(2 * other.ToLine().Length + 4 * (line.Length + 8));
        var filling = AttemptSpool.Create(_folder.File("p-spool.j-other.1.spool"), other, budget, "worker");
        for (var i = 0; i < 3; i++)
            filling.Append(OtherLine());
        using var spool = AttemptSpool.Create(SpoolFile, Header, budget, "worker");
        Assert.True(spool.Append(line));
        for (var i = 0; i < 4; i++)
            Assert.False(spool.Append(line));

        filling.Remove(); // the other attempt's lines were shipped: the folder has room again
        Assert.True(spool.Append(Line("after")));

        var lines = LockedFiles.ReadAllLines(SpoolFile)[1..].Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["x", "4 log entries", "after"], lines.Select(e => e.GetProperty("msg").GetString()![..Math.Min(13, e.GetProperty("msg").GetString()!.Length)]));
        Assert.Equal([1L, 2L, 3L], lines.Select(e => e.GetProperty("seq").GetInt64()));
        Assert.Equal(4 * line.Length, lines[1].GetProperty("data").GetProperty("droppedBytes").GetInt32());
    }

    [Fact]
    public void Drops_are_told_by_one_marker_with_its_own_seq_at_the_seal()
    {
        var line = Line("x");
        var budget = new SpoolBudget(Header.ToLine().Length + 2 * (line.Length + 8));
        using var spool = AttemptSpool.Create(SpoolFile, Header, budget, "worker");
        for (var i = 0; i < 5; i++)
            spool.Append(line);

        Assert.Equal(3, spool.Seal());

        var marker = JsonDocument.Parse(LockedFiles.ReadAllLines(SpoolFile)[^1]).RootElement;
        Assert.Equal(("warn", 3L, 3, 3 * line.Length),
            (marker.GetProperty("level").GetString(), marker.GetProperty("seq").GetInt64(),
             marker.GetProperty("data").GetProperty("droppedEntries").GetInt32(), marker.GetProperty("data").GetProperty("droppedBytes").GetInt32()));
        Assert.Contains("JobLogs:Worker:SpoolMaxBytes", marker.GetProperty("msg").GetString());
        Assert.Equal(3, spool.Seal()); // told once
    }

    [Fact]
    public void Shipping_compacts_the_file_and_the_next_batch_goes_on_with_the_next_seq()
    {
        var budget = new SpoolBudget(64 << 20);
        using var spool = AttemptSpool.Create(SpoolFile, Header, budget, "worker");
        var padding = new string('p', 1000);
        for (var i = 1; i <= 3000; i++)
            spool.Append(Line($"line {i} {padding}"));

        var written = new FileInfo(SpoolFile).Length;
        long shipped = 0;
        while (shipped < 2800 && spool.NextBatch(256 * 1024) is { } batch)
        {
            var seqs = Seqs(batch.Lines);
            Assert.Equal(shipped + 1, seqs[0]);
            shipped = Math.Min(seqs[^1], 2800);
            spool.Shipped(batch, shipped);
        }

        // Compacted as it went (each time over 1 MiB was shipped and more than is left): what is left on disk, and
        // counted against the cap, is a small part of what was written.
        Assert.True(new FileInfo(SpoolFile).Length < written / 4, $"{new FileInfo(SpoolFile).Length} of {written} bytes left");
        Assert.Equal(new FileInfo(SpoolFile).Length, budget.Used);
        Assert.Equal(2801, Seqs(spool.NextBatch(256 * 1024)!.Lines)[0]);
        Assert.Equal(Header, SpoolHeader.Read(Encoding.UTF8.GetBytes(LockedFiles.ReadAllLines(SpoolFile)[0])));
    }

    [Fact]
    public void An_Api_that_holds_more_than_the_worker_heard_is_caught_up_by_skipping_to_its_expected_seq()
    {
        using var spool = AttemptSpool.Create(SpoolFile, Header, new SpoolBudget(1 << 20), "worker");
        for (var i = 1; i <= 5; i++)
            spool.Append(Line($"line {i}"));

        Assert.True(spool.SkipTo(4));
        Assert.Equal([4L, 5L], Seqs(spool.NextBatch(1 << 20)!.Lines));
    }

    public void Dispose() => _folder.Dispose();

    private static byte[] Line(string msg) => Encoding.UTF8.GetBytes(
        $$"""{"ts":"2026-12-07T12:00:00+00:00","level":"info","component":"worker","projectId":"p-spool","jobId":"j-spool","attempt":2,"msg":"{{msg}}"}""" + "\n");

    private static byte[] OtherLine() => Encoding.UTF8.GetBytes(
        """{"ts":"2026-12-07T12:00:00+00:00","level":"info","component":"worker","projectId":"p-spool","jobId":"j-other","attempt":1,"msg":"x"}""" + "\n");

    private static List<long> Seqs(ReadOnlyMemory<byte> lines) =>
        [.. Encoding.UTF8.GetString(lines.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("seq").GetInt64())];
}
