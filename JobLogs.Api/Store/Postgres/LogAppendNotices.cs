using Npgsql;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// Wakes the streams of this replica that follow a log whenever any replica appends to it (DESIGN.md, Cluster mode
/// store): this store's own appends at once, in process (<see cref="LogAppends"/>); the other replicas' through the
/// notice <c>log_append</c> sends at commit (its payload: the sending store's instance and the log's name), heard on one
/// connection that <c>LISTEN</c>s from the first watch on and is opened again after a failure. A notice missed
/// meanwhile costs a follower one poll interval at most: followers still poll, with it as the limit of every wait.
/// </summary>
internal sealed class LogAppendNotices(NpgsqlDataSource database) : IDisposable
{
    /// <summary>The channel <c>log_append</c> notifies (0003_logs.sql names it too).</summary>
    public const string Channel = "joblogs_log_appends";

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    // A quiet connection is asked something now and then, so one the server dropped is noticed and opened again.
    private static readonly TimeSpan ProbeAfter = TimeSpan.FromSeconds(30);

    private readonly LogAppends _appends = new();
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task? _listening;

    public LogWatch Watch(LogName log)
    {
        lock (_gate)
            _listening ??= Task.Run(ListenAsync);
        return _appends.Watch(log);
    }

    /// <summary>This store appended to <paramref name="log"/>: its watchers here wake now.</summary>
    public void Appended(LogName log) => _appends.Appended(log);

    /// <summary>The payload of the notice an append to <paramref name="log"/> sends.</summary>
    public string Notice(LogName log) => $"{_instance} {NameOf(log)}";

    public void Dispose()
    {
        _stopping.Cancel();
        // Waits without throwing; the token stays usable for a listener that takes longer to see it.
        (_listening as IAsyncResult)?.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// A log's name in a notice: <c>job/&lt;projectId&gt;/&lt;jobId&gt;</c>, <c>runtime/&lt;service&gt;</c> or
    /// <c>events/&lt;projectId&gt;</c> (ids hold no '/').
    /// </summary>
    internal static string NameOf(LogName log) =>
        log.Kind == LogKind.Job ? $"job/{log.Owner}/{log.JobId}" : $"{PostgresLogStore.KindOf(log.Kind)}/{log.Owner}";

    internal static LogName? Parse(string name) => name.Split('/') switch
    {
        ["job", var projectId, var jobId] => LogName.Job(projectId, jobId),
        ["runtime", var service] => LogName.Runtime(service),
        ["events", var projectId] => LogName.Events(projectId),
        _ => null,
    };

    private async Task ListenAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(stopping);
                connection.Notification += (_, e) => Heard(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stopping);
                while (true)
                {
                    if (await connection.WaitAsync(ProbeAfter, stopping))
                        continue;
                    await using var probe = new NpgsqlCommand("SELECT 1", connection);
                    await probe.ExecuteNonQueryAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The database is away: listen again once it is back.
            }
            await Task.Delay(RetryAfter, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void Heard(string payload)
    {
        // Our own notices come back too: their watchers woke at the append.
        if (payload.Split(' ', 2) is [var instance, var name] && instance != _instance && Parse(name) is { } log)
            _appends.Appended(log);
    }
}
