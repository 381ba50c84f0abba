using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JobLogs.Api.Jobs;
using JobLogs.Api.Store;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Redaction;
using JobLogs.Workers;
using Microsoft.Extensions.Options;
using static JobLogs.Api.Workers.AttemptRecords;

namespace JobLogs.Api.Workers;

/// <summary>
/// Grants and fences worker leases (DESIGN.md, Jobs, workers, leases): a claim starts an attempt under a
/// lease token; heartbeats renew it; the final report ends it. A stale or wrong token is a conflict, so one
/// attempt never runs or reports twice. Reports are idempotent: the same one again answers the same. Heartbeats and
/// reports carry the attempt's redaction audit; a report's card and output are redacted again before they are stored.
/// </summary>
internal sealed partial class Leases(
    IJobStore store, ShippedLogs shipped, Redactor redactor, IOptions<LeaseOptions> options, TimeProvider time, ILogger<Leases> logger)
{
    private LeaseOptions Options => options.Value;

    public async Task<Claim?> ClaimAsync(string workerId, IReadOnlyCollection<string>? types, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Activity? attemptSpan = null;
        var trace = (TraceId: "", SpanId: "", Traceparent: "");
        var claimed = await store.ClaimAsync(types,
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
                    Attempts = [.. job.Attempts, new AttemptRecord(n, trace.TraceId, now, null, JobStatus.Running, workerId, LeaseHash: Hash(token), SpanId: trace.SpanId)],
                };
            }, cancellationToken);
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
    public async Task<LeaseAnswer<HeartbeatAnswer>> HeartbeatAsync(string projectId, string jobId, Heartbeat heartbeat, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var update = await store.UpdateAsync(projectId, jobId, job =>
            {
                AttemptTrace.Tag(Activity.Current, job);
                if (!HoldsLiveLease(job, heartbeat.LeaseToken, now))
                    return (null, LeaseAnswer<HeartbeatAnswer>.Conflict(ConflictReason(job, now)));
                var expires = now + Options.Duration;
                // Once the attempt ships its lines, its counts are what the Api stored of them.
                var counts = shipped.Known(new JobKey(projectId, jobId, job.Attempt)) is { HasShipped: true } log ? log.Counts : heartbeat.Counts;
                var next = job with
                {
                    Lease = job.Lease! with { ExpiresAt = expires },
                    Attempts = WithCurrent(job, a => a with { Counts = counts ?? a.Counts, Redactions = heartbeat.Redactions ?? a.Redactions }),
                };
                return (Summed(next), LeaseAnswer<HeartbeatAnswer>.Ok(new HeartbeatAnswer(expires, job.CancelRequested)));
            }, cancellationToken);
        return update.Found ? update.Result : LeaseAnswer<HeartbeatAnswer>.Unknown;
    }

    /// <summary>
    /// Ends the attempt. A report that names its last <c>seq</c> waits for its lines: under the attempt's lock (which log
    /// batches take too), it is a retryable 409 until the Api holds that <c>seq</c>, and then its counts and the card's
    /// offset are what the Api stored.
    /// </summary>
    public async Task<LeaseAnswer<Job>> ReportAsync(string projectId, string jobId, Report report, CancellationToken cancellationToken = default)
    {
        if (report.LastSeq is not { } lastSeq)
            return await EndAsync(projectId, jobId, report, null, cancellationToken);
        if (await store.GetAsync(projectId, jobId, cancellationToken) is not { } job)
            return LeaseAnswer<Job>.Unknown;
        // A token of no attempt gets its conflict from the report itself.
        if (job.Attempts.FirstOrDefault(a => a.LeaseHash == Hash(report.LeaseToken)) is not { } attempt)
            return await EndAsync(projectId, jobId, report, null, cancellationToken);
        using var held = await shipped.HoldAsync(new JobKey(projectId, jobId, attempt.N), cancellationToken);
        if (held.Log.Highest < lastSeq && !held.Log.Capped)
            return LeaseAnswer<Job>.Behind(
                $"The report names seq {lastSeq} as attempt {attempt.N}'s last line, but the Api holds its lines up to seq {held.Log.Highest}: send the rest of the log from seq {held.Log.Highest + 1}, then the report again.",
                held.Log.Highest + 1);
        return await EndAsync(projectId, jobId, report, held.Log, cancellationToken);
    }

    private async Task<LeaseAnswer<Job>> EndAsync(string projectId, string jobId, Report report, AttemptLog? log, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var repeated = false;
        var update = await store.UpdateAsync(projectId, jobId, job =>
            {
                AttemptTrace.Tag(Activity.Current, job);
                // The same report again: the worker did not hear the answer to the first one. An attempt its worker lost
                // has the token's hash too (stored at the claim), but no report ended it: a report then is too late.
                repeated = job.Lease is null && job.CurrentAttempt is { LeaseLost: not true } last && last.LeaseHash == Hash(report.LeaseToken)
                    && last.Status == report.Status;
                if (repeated)
                    return (null, LeaseAnswer<Job>.Ok(job.ToWire()));
                if (!HoldsLiveLease(job, report.LeaseToken, now))
                    return (null, LeaseAnswer<Job>.Conflict(ConflictReason(job, now)));
                var ended = Ended(job, Redacted(report), log, now);
                if (ended.SchemaProblems() is { Count: > 0 } problems)
                    return (null, LeaseAnswer<Job>.Invalid($"The report does not make a valid record: {string.Join("; ", problems)}"));
                return (ended, LeaseAnswer<Job>.Ok(ended.ToWire()));
            }, cancellationToken);
        if (!update.Found)
            return LeaseAnswer<Job>.Unknown;

        var answer = update.Result;
        var attempt = answer.Value?.Attempt ?? (await store.GetAsync(projectId, jobId, cancellationToken))?.Attempt ?? 0;
        using (logger.BeginJobScope(projectId, jobId, attempt))
        {
            if (answer.Value is { } job)
            {
                if (repeated)
                    LogReportedAgain(logger, job.Attempt);
                else
                    LogReported(logger, job.Attempt, job.Status.Wire());
            }
            else if (answer.Problem is { } problem)
                LogReportRefused(logger, problem);
        }
        return answer;
    }

    /// <summary>The record the report makes; with the attempt's shipped <paramref name="log"/>, its counts and offset come from there.</summary>
    private static JobRecord Ended(JobRecord job, Report report, AttemptLog? log, DateTimeOffset now)
    {
        var counts = log?.Counts ?? report.Counts;
        var ended = job with
        {
            Status = report.Status,
            FinishedAt = now,
            DurationMs = Duration(job.StartedAt, now),
            Output = report.Status == JobStatus.Succeeded ? report.Output : null,
            Error = report.Status == JobStatus.Succeeded ? null : report.Error is { } card
                ? card with { Ids = job.FailureIds(card.Ids), LogOffset = card.LogOffset ?? log?.FirstErrorOffset } : null,
            Lease = null,
            Attempts = WithCurrent(job, a => a with
            {
                // An attempt claimed before claims stored the hash gets it from its report.
                FinishedAt = now, Status = report.Status, Counts = counts ?? a.Counts, LeaseHash = a.LeaseHash ?? Hash(report.LeaseToken),
                Redactions = report.Redactions ?? a.Redactions,
            }),
        };
        return Summed(ended);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt} claimed by worker {WorkerId}; lease until {LeaseExpiresAt:u}")]
    private static partial void LogClaimed(ILogger logger, int attempt, string workerId, DateTimeOffset leaseExpiresAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt} reported {Status}")]
    private static partial void LogReported(ILogger logger, int attempt, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt}: the same report came again and changed nothing")]
    private static partial void LogReportedAgain(ILogger logger, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a report: {Problem}")]
    private static partial void LogReportRefused(ILogger logger, string problem);
}

/// <summary>
/// The outcome of a lease operation: a value, a conflict (409; naming the <c>seq</c> expected when the Api holds less of the
/// attempt's log than asked), an invalid request (400), an unknown job (404), or a job whose log retention removed (410).
/// </summary>
internal sealed record LeaseAnswer<T>(
    T? Value, string? Problem, bool IsConflict, bool IsUnknown, long? ExpectedSeq = null, LogRemoval? Removed = null, bool IsUnwritable = false)
{
    /// <summary>The store could not take the lines (a disk full, a folder in the log's place): 507, and the run fails.</summary>
    public static LeaseAnswer<T> Unwritable(string reason) => new(default, reason, false, false, IsUnwritable: true);
    public static LeaseAnswer<T> Ok(T value) => new(value, null, false, false);
    public static LeaseAnswer<T> Conflict(string reason) => new(default, reason, true, false);
    public static LeaseAnswer<T> Behind(string reason, long expectedSeq) => new(default, reason, true, false, expectedSeq);
    public static LeaseAnswer<T> Gone(LogRemoval removal) => new(default, "The job's log was removed by retention.", false, false, Removed: removal);
    public static LeaseAnswer<T> Invalid(string reason) => new(default, reason, false, false);
    public static readonly LeaseAnswer<T> Unknown = new(default, "The job does not exist.", false, true);
}
