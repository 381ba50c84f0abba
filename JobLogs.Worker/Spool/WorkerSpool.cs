using System.Collections.Concurrent;
using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Workers;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.Spool;

/// <summary>
/// The worker's spool folder (<see cref="WorkerOptions.SpoolPath"/>): the attempt spools this process writes and ships,
/// one file each (<c>&lt;projectId&gt;.&lt;jobId&gt;.&lt;attempt&gt;.spool</c>), under one size cap. It wakes the shipper when
/// a spool has a batch's worth waiting, and lets a run wait until the Api holds its lines.
/// </summary>
internal sealed class WorkerSpool : IDisposable
{
    public const int BatchBytes = 256 * 1024;
    private const string Extension = ".spool";

    private readonly ConcurrentDictionary<JobKey, AttemptSpool> _open = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lazy<(string Folder, SpoolBudget Budget)> _settings;
    private TaskCompletionSource _round = NewRound();

    // Read on first use, not when the logger that writes here is built: bad settings are reported by options validation
    // at start, in one sentence, rather than thrown while logging is set up.
    public WorkerSpool(IOptions<WorkerOptions> options) => _settings = new(() =>
    {
        var folder = Path.GetFullPath(options.Value.SpoolPath);
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(folder);
        else
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return (folder, new SpoolBudget(options.Value.SpoolMaxBytes));
    });

    public string Folder => _settings.Value.Folder;
    public SpoolBudget Budget => _settings.Value.Budget;
    public ICollection<AttemptSpool> Open => _open.Values;

    /// <summary>Starts the spool of a claimed attempt: its lines go there from now on.</summary>
    public AttemptSpool Begin(Claim claim, string workerId)
    {
        var header = new SpoolHeader(claim.Job.ProjectId, claim.Job.Id, claim.Attempt, claim.LeaseToken, workerId);
        var spool = AttemptSpool.Create(PathOf(header.Key), header, Budget, ServiceIdentity.Worker.Component);
        _open[header.Key] = spool;
        return spool;
    }

    public AttemptSpool? Find(JobKey key) => _open.GetValueOrDefault(key);

    /// <summary>Appends a job line to its attempt's spool; false when the attempt has none here or the line does not fit.</summary>
    public bool Append(JobKey key, ReadOnlySpan<byte> line)
    {
        if (!_open.TryGetValue(key, out var spool) || !spool.Append(line))
            return false;
        if (spool.UnshippedBytes >= BatchBytes)
            Wake();
        return true;
    }

    /// <summary>
    /// Takes over the spools of workers that died (their lock is free): each with the last entry it holds. Spools of a
    /// live worker beside this one stay where they are.
    /// </summary>
    public List<(AttemptSpool Spool, byte[]? LastLine)> AdoptLeft()
    {
        var adopted = new List<(AttemptSpool, byte[]?)>();
        foreach (var path in Directory.EnumerateFiles(Folder, "*" + Extension))
        {
            if (AttemptSpool.Adopt(path, Budget, ServiceIdentity.Worker.Component, out var last) is not { } spool)
                continue;
            if (!_open.TryAdd(spool.Key, spool))
            {
                spool.Dispose(); // this process started the same attempt meanwhile: never
                continue;
            }
            spool.Ended = true;
            adopted.Add((spool, last));
        }
        return adopted;
    }

    /// <summary>Forgets a spool the shipper removed.</summary>
    public void Forget(AttemptSpool spool) => _open.TryRemove(new KeyValuePair<JobKey, AttemptSpool>(spool.Key, spool));

    /// <summary>Asks the shipper to ship now rather than at its next tick.</summary>
    public void Wake()
    {
        // Every line appended while a batch's worth waits asks again: without this check each one threw and caught
        // SemaphoreFullException (2.4–3 µs a line on the development machine), just when the Api falls behind.
        if (_wake.CurrentCount > 0)
            return;
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    /// <summary>The shipper's wait between rounds: its interval, or less when woken.</summary>
    public Task<bool> WaitForWorkAsync(TimeSpan interval, CancellationToken cancellationToken) => _wake.WaitAsync(interval, cancellationToken);

    /// <summary>The shipper finished a round: whoever waits for a seq looks again.</summary>
    public void RoundDone() => Interlocked.Exchange(ref _round, NewRound()).TrySetResult();

    /// <summary>
    /// Waits until the Api holds <paramref name="spool"/>'s lines up to <paramref name="seq"/>, has refused them, or the time is up.
    /// </summary>
    public async Task<bool> WaitShippedAsync(AttemptSpool spool, long seq, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (spool.ShippedSeq < seq && spool.Refused is null)
            {
                var round = Volatile.Read(ref _round).Task;
                Wake();
                await round.WaitAsync(limit.Token);
            }
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var spool in _open.Values)
            spool.Dispose();
        _open.Clear();
        _wake.Dispose();
    }

    private string PathOf(JobKey key) => Path.Combine(Folder, $"{key.ProjectId}.{key.JobId}.{key.Attempt}{Extension}");

    private static TaskCompletionSource NewRound() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
