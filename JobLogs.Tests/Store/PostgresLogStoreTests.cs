using System.Text.Json;
using JobLogs.Api.Logs;
using JobLogs.Api.Store;
using JobLogs.Api.Store.Files;
using JobLogs.Api.Store.Postgres;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Logging.Shipping;
using JobLogs.Tests.Support;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace JobLogs.Tests.Store;

/// <summary>
/// The log store contract on PostgreSQL (cluster mode): a real server, a database of this class's own with the schema
/// applied, emptied before each test. Beside the contract: the same appends give files mode's numbers and bytes, two
/// replicas share a log, a watch hears other replicas, runtime lines outlive the database, and a tail reads an index
/// range.
/// </summary>
public sealed class PostgresLogStoreTests(PostgresLogStoreTests.LogDatabase database) : LogStoreContract, IClassFixture<PostgresLogStoreTests.LogDatabase>
{
    private readonly TempDirectory _local = new("pg-log-store");

    private protected override async Task<ILogStore> CreateAsync()
    {
        await using (var empty = database.Source.CreateCommand("TRUNCATE log_heads, log_lines"))
            await empty.ExecuteNonQueryAsync();
        return NewReplica();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _local.Dispose();
    }

    [Fact]
    public async Task The_same_appends_give_the_offsets_outcomes_windows_and_bytes_of_files_mode()
    {
        using var data = new TempDirectory("log-parity");
        using var files = new FileLogStore(new DataLayout(data.Path), "worker", CapBytes, TimeProvider.System);
        var projectId = ApiFactory.NewProjectId();

        var (fileSteps, fileLogs) = await RunAsync(files, projectId);
        var (steps, logs) = await RunAsync(Logs, projectId);

        Assert.Contains(steps, step => step.StartsWith("CapReached ", StringComparison.Ordinal));
        Assert.Equal("Dropped -1", steps[^2]);
        Assert.Equal(fileSteps, steps);
        Assert.Equal(fileLogs, logs);
    }

    [Fact]
    public async Task Two_replicas_appending_to_one_log_take_turns_for_its_offsets_and_read_the_same_bytes()
    {
        using var other = NewReplica();
        var name = LogName.Events(ApiFactory.NewProjectId());

        var offsets = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => (i % 2 == 0 ? Logs : other).Append(name, Line($"line {i:000}")))));

        var length = Line("line 000").Length;
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i * length), offsets.Order());
        Assert.Equal(await BytesAsync(Logs, name), await BytesAsync(other, name));
        using var log = await other.OpenAsync(name);
        using var window = await log.AfterAsync(0, 1 << 20);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"line {i:000}"),
            window.Lines.Select(l => JsonDocument.Parse(window.Bytes(l).ToArray()).RootElement.GetProperty("msg").GetString()).Order());
    }

    [Fact]
    public async Task A_line_appended_here_or_by_another_replica_wakes_a_watch_of_its_log_and_no_other()
    {
        var name = LogName.Job(ApiFactory.NewProjectId(), "20260601-120000-0000abcd");
        var job = new JobKey(name.Owner, name.JobId!, 1);
        using var watch = ((PostgresLogStore)Logs).Watch(name);

        var here = watch.NextAppend();
        Logs.AppendToJob(job, Line("here"), wantOffset: false, out _);
        await here.WaitAsync(TimeSpan.FromSeconds(5));

        // Another replica is heard through LISTEN, which starts with the first watch: it appends until it is heard.
        using var other = NewReplica();
        Assert.True(await HeardAsync(watch, () => other.AppendToJob(job, Line("there"), wantOffset: false, out _)),
            "A line another replica appended never woke the watch.");

        var quiet = watch.NextAppend();
        other.Append(LogName.Events(name.Owner), Line("another log"));
        Logs.AppendToJob(new JobKey(name.Owner, "20260601-120000-0000ffff", 1), Line("another job"), wantOffset: false, out _);
        await Task.Delay(500);
        Assert.False(quiet.IsCompleted);
    }

    [Fact]
    public async Task A_watch_hears_other_replicas_again_after_its_listening_connection_was_cut()
    {
        var name = LogName.Events(ApiFactory.NewProjectId());
        using var watch = ((PostgresLogStore)Logs).Watch(name);
        using var other = NewReplica();
        Assert.True(await HeardAsync(watch, () => other.Append(name, Line("before"))), "The watch never heard the other replica.");

        await using (var cut = database.Source.CreateCommand(
            $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = 'LISTEN {LogAppendNotices.Channel}' AND datname = current_database()"))
            Assert.Equal(1L, await cut.ExecuteScalarAsync()); // the one listening connection of the store

        Assert.True(await HeardAsync(watch, () => other.Append(name, Line("after"))), "The watch never listened again.");
    }

    [Fact]
    public async Task While_the_database_is_away_runtime_lines_go_to_the_local_fallback_and_job_lines_fail()
    {
        var nothing = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = FreePort.Next(), Username = "postgres", Timeout = 3 };
        await using var away = NpgsqlDataSource.Create(nothing.ConnectionString);
        var fallback = Fallback("backend");
        using var store = new PostgresLogStore(away, "backend", CapBytes, fallback, TimeProvider.System);

        store.AppendToRuntime(Line("first"), RuntimeLine.Notable);
        store.AppendToRuntime(Line("second"), RuntimeLine.Ordinary);

        Assert.Equal([.. Line("first"), .. Line("second")], File.ReadAllBytes(fallback.Path));
        Assert.ThrowsAny<NpgsqlException>(() => store.AppendToJob(new JobKey("p1", "j1", 1), Line("lost?"), wantOffset: false, out _));
    }

    [Fact]
    public async Task A_tail_reads_only_the_lines_it_returns_through_the_offset_index()
    {
        using var store = NewReplica(jobLogCapBytes: long.MaxValue);
        var name = LogName.Job(ApiFactory.NewProjectId(), "20260601-120000-0000abcd");
        var job = new JobKey(name.Owner, name.JobId!, 1);
        for (var batch = 0; batch < 20; batch++)
            await store.AppendToJobAsync(job, [.. Enumerable.Range(0, 1000).Select(i => (ReadOnlyMemory<byte>)Line($"batch {batch:00} line {i:0000}"))]);
        await using (var analyze = database.Source.CreateCommand("ANALYZE log_lines"))
            await analyze.ExecuteNonQueryAsync();
        using var log = await store.OpenAsync(name);
        using var tail = await log.BeforeAsync(log.Length, 80 * 1024);

        // The query a window runs, for that window: the bytes the reader fetched for it.
        await using var connection = await database.Source.OpenConnectionAsync();
        var (logId, generation) = await HeadAsync(connection, name);
        await using var explain = new NpgsqlCommand($"EXPLAIN (ANALYZE, FORMAT JSON) {PostgresLogReader.BytesSql}", connection);
        var (from, to) = LogWindow.BackwardReads(log.Length, 80 * 1024, log.Length);
        foreach (var value in new object[] { logId, generation, from, to })
            explain.Parameters.Add(new NpgsqlParameter { Value = value });
        var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!).RootElement[0].GetProperty("Plan");

        var scans = Nodes(plan).Where(n => n.TryGetProperty("Relation Name", out var r) && r.GetString() == "log_lines").ToList();
        Assert.All(scans, n => Assert.NotEqual("Seq Scan", n.GetProperty("Node Type").GetString()));
        Assert.InRange(scans.Sum(n => n.GetProperty("Actual Rows").GetDouble() * n.GetProperty("Actual Loops").GetDouble()), tail.Lines.Count, tail.Lines.Count + 2);
    }

    /// <summary>Appends until the watch wakes (LISTEN may not have started yet), for 10 s at most.</summary>
    private static async Task<bool> HeardAsync(LogWatch watch, Action append)
    {
        for (var tries = 0; tries < 50; tries++)
        {
            var next = watch.NextAppend();
            append();
            if (await Task.WhenAny(next, Task.Delay(200)) == next)
                return true;
        }
        return false;
    }

    private PostgresLogStore NewReplica(long jobLogCapBytes = CapBytes) =>
        new(database.Source, "worker", jobLogCapBytes, Fallback("worker"), TimeProvider.System);

    private LocalRuntimeLog Fallback(string service) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [LocalRuntimeLog.PathKey] = _local.File($"{service}-{Guid.NewGuid():N}.jsonl"),
        }).Build(), service, TimeProvider.System);

    /// <summary>
    /// The same appends of every kind (single lines with and without their offset, batches, the cap and its marker,
    /// events and runtime lines) on <paramref name="store"/>: what each returned, and each log's tail and bytes.
    /// </summary>
    private static async Task<(List<string> Steps, List<string> Logs)> RunAsync(ILogStore store, string projectId)
    {
        var name = LogName.Job(projectId, "20260601-120000-0000abcd");
        var job = new JobKey(projectId, name.JobId!, 2);
        var steps = new List<string>();
        for (var i = 0; i < 4; i++)
            steps.Add($"{store.AppendToJob(job, Line($"single {i} {new string('s', 300 * i)}"), wantOffset: i % 2 == 0, out var offset)} {offset}");
        var batch = await store.AppendToJobAsync(job, [.. Enumerable.Range(0, 12).Select(i => (ReadOnlyMemory<byte>)Line($"shipped {i} {new string('b', 200)}"))]);
        steps.Add($"{batch.Outcome} {string.Join(",", batch.Offsets)}");
        if (batch.Outcome == JobLogAppend.CapReached)
            store.AppendMarkerToJob(job, Line("the cap"));
        steps.Add($"{store.AppendToJob(job, Line("dropped"), wantOffset: true, out var dropped)} {dropped}");
        var events = LogName.Events(projectId);
        steps.Add($"{store.Append(events, Line("created"))} {store.Append(events, "torn, without its newline"u8)}");
        store.AppendToRuntime(Line("the worker's own"), RuntimeLine.Ordinary);

        var logs = new List<string>();
        foreach (var log in new[] { name, events, LogName.Runtime("worker") })
        {
            using var reader = await store.OpenAsync(log);
            using var tail = await reader.BeforeAsync(reader.Length, 1000);
            logs.Add($"{reader.Exists} {reader.Length} {Shown(tail)} {Convert.ToHexString(await BytesAsync(store, log))}");
        }
        return (steps, logs);
    }

    private static async Task<byte[]> BytesAsync(ILogStore store, LogName name)
    {
        using var log = await store.OpenAsync(name);
        using var copy = new MemoryStream();
        await log.CopyToAsync(copy, 0, log.Length, CancellationToken.None);
        return copy.ToArray();
    }

    private static async Task<(long LogId, int Generation)> HeadAsync(NpgsqlConnection connection, LogName name)
    {
        await using var command = new NpgsqlCommand("SELECT log_id, generation FROM log_heads WHERE log_kind = 'job' AND owner = $1 AND job_id = $2", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name.Owner });
        command.Parameters.Add(new NpgsqlParameter { Value = name.JobId });
        await using var row = await command.ExecuteReaderAsync();
        await row.ReadAsync();
        return (row.GetInt64(0), row.GetInt32(1));
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement plan) =>
        plan.TryGetProperty("Plans", out var children) ? [plan, .. children.EnumerateArray().SelectMany(Nodes)] : [plan];

    /// <summary>This class's database: made once, its schema applied.</summary>
    public sealed class LogDatabase : IAsyncLifetime
    {
        public NpgsqlDataSource Source { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var server = await PostgresServer.Instance;
            Source = NpgsqlDataSource.Create(await server.CreateDatabaseAsync("logs"));
            await PostgresSchema.ApplyAsync(Source);
        }

        public async Task DisposeAsync() => await Source.DisposeAsync();
    }
}
