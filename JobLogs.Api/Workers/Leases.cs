using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JobLogs.Api.Jobs;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Redaction;
using JobLogs.Workers;
using Microsoft.Extensions.Options;

namespace JobLogs.Api.Workers;

/// <summary>
/// Grants and fences worker leases (DESIGN.md, Jobs, workers, leases): a claim starts an attempt under a
/// lease token; heartbeats renew it; the final report ends it. A stale or wrong token is a conflict, so one
/// attempt never runs or reports twice. Reports are idempotent: the same one again answers the same. Heartbeats and
/// reports carry the attempt's redaction audit; a report's card and output are redacted again before they are stored.
/// </summary>
internal sealed partial class Leases(
    JobStore store, JobLogTally tally, Redactor redactor, IOptions<LeaseOptions> options, TimeProvider time, ILogger<Leases> logger)
{
    private LeaseOptions Options => options.Value;

    public Claim? Claim(string workerId, IReadOnlyCollection<string>? types)
    {
        var now = time.GetUtcNow();
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Activity? attemptSpan = null;
        var trace = (TraceId: "", SpanId: "", Traceparent: "");
        var claimed = store.ClaimNext(
            job => types is null || types.Count == 0 || types.Contains(job.Type),
            job =>
            {
                var n = job.Attempt + 1;
                attemptSpan = AttemptTrace.Start(job, n);
                trace = AttemptTrace.Context(attemptSpan);
                return job with
                {
                    Status = JobStatus.Running, Attempt = n, StartedAt = now, FinishedAt = null, DurationMs = null,
                    Output = null, Error = null,
                    Lease = new LeaseRecord(token, workerId, now + Options.Duration),
                    Attempts = [.. job.Attempts, new AttemptRecord(n, trace.TraceId, now, null, JobStatus.Running, workerId, SpanId: trace.SpanId)],
                };
            });
        if (claimed is null)
            return null;

        var request = Activity.Current;
        Activity.Current = attemptSpan ?? request;
        using (logger.BeginJobScope(claimed.ProjectId, claimed.Id, claimed.Attempt))
            LogClaimed(logger, claimed.Attempt, workerId, claimed.Lease!.ExpiresAt);
        attemptSpan?.Stop();
        Activity.Current = request;
        return new Claim(claimed.ToWire(), claimed.Attempt, token, claimed.Lease.ExpiresAt, trace.Traceparent);
    }

    /// <summary>Renews the lease; null when the token is not the job's live lease (a conflict), or the job is unknown.</summary>
    public LeaseAnswer<HeartbeatAnswer> Heartbeat(string projectId, string jobId, Heartbeat heartbeat)
    {
        var now = time.GetUtcNow();
        if (!store.TryUpdate(projectId, jobId, job =>
            {
                AttemptTrace.Tag(Activity.Current, job);
                if (!HoldsLiveLease(job, heartbeat.LeaseToken, now))
                    return (null, LeaseAnswer<HeartbeatAnswer>.Conflict(ConflictReason(job, now)));
                var expires = now + Options.Duration;
                var next = job with
                {
                    Lease = job.Lease! with { ExpiresAt = expires },
                    Attempts = WithCurrent(job, a => a with { Counts = heartbeat.Counts ?? a.Counts, Redactions = heartbeat.Redactions ?? a.Redactions }),
                };
                next = next with { Counts = SumCounts(next), Redactions = SumRedactions(next) };
                return (next, LeaseAnswer<HeartbeatAnswer>.Ok(new HeartbeatAnswer(expires, job.CancelRequested)));
            }, out var answer))
            return LeaseAnswer<HeartbeatAnswer>.Unknown;
        return answer;
    }

    public LeaseAnswer<Job> Report(string projectId, string jobId, Report report)
    {
        var now = time.GetUtcNow();
        if (!store.TryUpdate(projectId, jobId, job =>
            {
                AttemptTrace.Tag(Activity.Current, job);
                if (job.Lease is null && job.CurrentAttempt is { } last && last.LeaseHash == Hash(report.LeaseToken) && last.Status == report.Status)
                    return (null, LeaseAnswer<Job>.Ok(job.ToWire())); // the same report again
                if (!HoldsLiveLease(job, report.LeaseToken, now))
                    return (null, LeaseAnswer<Job>.Conflict(ConflictReason(job, now)));
                var ended = Ended(job, Redacted(report), now);
                if (store.Problems(ended) is { Count: > 0 } problems)
                    return (null, LeaseAnswer<Job>.Invalid($"The report does not make a valid record: {string.Join("; ", problems)}"));
                return (ended, LeaseAnswer<Job>.Ok(ended.ToWire()));
            }, out var answer))
            return LeaseAnswer<Job>.Unknown;

        using (logger.BeginJobScope(projectId, jobId, answer.Value?.Attempt ?? store.Get(projectId, jobId)?.Attempt ?? 0))
        {
            if (answer.Value is { } job)
                LogReported(logger, job.Attempt, job.Status.Wire());
            else if (answer.Problem is { } problem)
                LogReportRefused(logger, problem);
        }
        return answer;
    }

    /// <summary>Ends (or re-queues) every attempt whose lease expired more than the grace period ago.</summary>
    public int EndLostAttempts()
    {
        var now = time.GetUtcNow();
        var ended = 0;
        foreach (var running in store.Running())
        {
            if (running.Lease is not { } lease || lease.ExpiresAt + Options.Grace > now)
                continue;
            var key = new JobKey(running.ProjectId, running.Id, running.Attempt);
            var attemptTally = tally.Watch(key);
            // The attempt's story ends in its own trace, under the span the claim started.
            using (AttemptTrace.Resume(running, "worker lost"))
            using (logger.BeginJobScope(running.ProjectId, running.Id, running.Attempt))
                LogWorkerLost(logger, lease.WorkerId, lease.ExpiresAt, Options.RequeueLost ? "re-queued" : "failed");
            tally.Stop(key);
            if (store.TryUpdate(running.ProjectId, running.Id, job =>
                    job.Lease?.Token == lease.Token ? (Lost(job, lease, now, attemptTally.FirstErrorOffset), true) : (null, false),
                    out var changed) && changed)
                ended++;
        }
        return ended;
    }

    private JobRecord Lost(JobRecord job, LeaseRecord lease, DateTimeOffset now, long? logOffset)
    {
        var attempts = WithCurrent(job, a => a with { FinishedAt = now, Status = JobStatus.Failed, Counts = (a.Counts ?? new(0, 0)) + new LogCounts(1, 0) });
        var lost = job with { Lease = null, Attempts = attempts };
        lost = lost with { Counts = SumCounts(lost) };
        if (Options.RequeueLost)
            return lost with { Status = JobStatus.Queued };
        return lost with
        {
            Status = JobStatus.Failed, FinishedAt = now, DurationMs = Duration(job.StartedAt, now),
            Error = new FailureCard
            {
                Message = $"Worker {lease.WorkerId} stopped renewing its lease; its lease expired at {lease.ExpiresAt:u}.",
                Type = "worker lost",
                Component = "backend",
                Stage = "run",
                Where = $"worker {lease.WorkerId}",
                Ids = job.FailureIds(),
                Hint = "The worker crashed or lost contact with the Api. Check the worker's service log (System page) around that time, then retry the job.",
                Rule = "worker-lost",
                LogOffset = logOffset,
            },
        };
    }

    private static JobRecord Ended(JobRecord job, Report report, DateTimeOffset now)
    {
        var counts = report.Counts;
        var ended = job with
        {
            Status = report.Status,
            FinishedAt = now,
            DurationMs = Duration(job.StartedAt, now),
            Output = report.Status == JobStatus.Succeeded ? report.Output : null,
            Error = report.Status == JobStatus.Succeeded ? null : report.Error is { } card ? card with { Ids = job.FailureIds(card.Ids) } : null,
            Lease = null,
            Attempts = WithCurrent(job, a => a with
            {
                FinishedAt = now, Status = report.Status, Counts = counts ?? a.Counts, LeaseHash = Hash(report.LeaseToken),
                Redactions = report.Redactions ?? a.Redactions,
            }),
        };
        return ended with { Counts = SumCounts(ended), Redactions = SumRedactions(ended) };
    }

    // The worker redacted the report with its secrets; the Api does again with its own, and counts what it found too.
    private Report Redacted(Report report)
    {
        var counts = new RedactionCounts();
        var card = report.Error is { } error ? redactor.Redact(error, counts) : null;
        var output = report.Output is { } value ? redactor.Redact(value, counts) : (JsonElement?)null;
        if (counts.IsEmpty)
            return report;
        foreach (var (rule, n) in report.Redactions ?? new Dictionary<string, int>())
            counts.Add(rule, n);
        return report with { Error = card, Output = output, Redactions = counts.Snapshot() };
    }

    private static IReadOnlyDictionary<string, int>? SumRedactions(JobRecord job)
    {
        var sum = new RedactionCounts();
        foreach (var attempt in job.Attempts)
            foreach (var (rule, n) in attempt.Redactions ?? new Dictionary<string, int>())
                sum.Add(rule, n);
        return sum.IsEmpty ? null : sum.Snapshot();
    }

    private static bool HoldsLiveLease(JobRecord job, string? token, DateTimeOffset now) =>
        job.Status == JobStatus.Running && job.Lease is { } lease && token is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(lease.Token), Encoding.UTF8.GetBytes(token))
        && now <= lease.ExpiresAt;

    private static string ConflictReason(JobRecord job, DateTimeOffset now) => job switch
    {
        { Status: not JobStatus.Running } => $"The job is {job.Status.Wire()}: this lease no longer holds it.",
        { Lease: { } lease } when now > lease.ExpiresAt => $"The lease expired at {lease.ExpiresAt:u}; stop this run.",
        _ => "The lease token is not the job's current lease: another attempt holds the job.",
    };

    private static IReadOnlyList<AttemptRecord> WithCurrent(JobRecord job, Func<AttemptRecord, AttemptRecord> change) =>
        [.. job.Attempts.Take(job.Attempts.Count - 1), change(job.Attempts[^1])];

    private static LogCounts SumCounts(JobRecord job) =>
        job.Attempts.Aggregate(new LogCounts(0, 0), (sum, a) => sum + (a.Counts ?? new(0, 0)));

    private static long? Duration(DateTimeOffset? from, DateTimeOffset to) =>
        from is { } start ? (long)(to - start).TotalMilliseconds : null;

    private static string? Hash(string? token) =>
        token is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..32];

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt} claimed by worker {WorkerId}; lease until {LeaseExpiresAt:u}")]
    private static partial void LogClaimed(ILogger logger, int attempt, string workerId, DateTimeOffset leaseExpiresAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt} reported {Status}")]
    private static partial void LogReported(ILogger logger, int attempt, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a report: {Problem}")]
    private static partial void LogReportRefused(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerId} stopped renewing its lease (expired {LeaseExpiresAt:u}); the attempt ends as worker lost and the job is {Outcome}")]
    private static partial void LogWorkerLost(ILogger logger, string workerId, DateTimeOffset leaseExpiresAt, string outcome);
}

/// <summary>The outcome of a lease operation: a value, a conflict (409), an invalid request (400), or an unknown job (404).</summary>
internal sealed record LeaseAnswer<T>(T? Value, string? Problem, bool IsConflict, bool IsUnknown)
{
    public static LeaseAnswer<T> Ok(T value) => new(value, null, false, false);
    public static LeaseAnswer<T> Conflict(string reason) => new(default, reason, true, false);
    public static LeaseAnswer<T> Invalid(string reason) => new(default, reason, false, false);
    public static readonly LeaseAnswer<T> Unknown = new(default, "The job does not exist.", false, true);
}
