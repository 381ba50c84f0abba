using JobLogs.Api.Jobs;
using JobLogs.Api.Store;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Workers;
using static JobLogs.Api.Workers.AttemptRecords;

namespace JobLogs.Api.Workers;

/// <summary>
/// Stores the job log lines a worker ships (DESIGN.md, Past one machine, Log shipping): under the attempt's lock, only
/// the lines above the highest <c>seq</c> held, so a batch sent again stores nothing twice and answers the same. A batch
/// that would leave a gap is a 409 naming the <c>seq</c> expected. Lines of an attempt that already ended are still
/// stored, after one marker the Api writes; they never change the outcome. Past the job log's cap lines are dropped
/// (and acknowledged: the worker must not send them forever) after the one cap marker.
/// </summary>
internal sealed partial class LogIngest(IJobStore store, ILogStore logs, ShippedLogs shipped, ILogger<LogIngest> logger)
{
    public async Task<LeaseAnswer<LogBatchAnswer>> AppendAsync(
        string projectId, string jobId, string leaseToken, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        if (await store.GetAsync(projectId, jobId, cancellationToken) is not { } job)
            return LeaseAnswer<LogBatchAnswer>.Unknown;
        if (job.LogRemoved is { } removed)
            return LeaseAnswer<LogBatchAnswer>.Gone(removed);
        var hash = Hash(leaseToken);
        if (job.Attempts.FirstOrDefault(a => a.LeaseHash == hash) is not { } attempt)
            return LeaseAnswer<LogBatchAnswer>.Conflict($"The lease token is no attempt's of job {jobId}: stop this run.");
        AttemptTrace.Tag(System.Diagnostics.Activity.Current, job);
        var (batch, problem) = LogBatch.Read(body.Span, projectId, jobId, attempt.N);
        if (batch is null)
            return LeaseAnswer<LogBatchAnswer>.Invalid(problem!);

        try
        {
            return await StoreAsync(new JobKey(projectId, jobId, attempt.N), attempt, batch, body, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Lines stored before the failure are counted when the log is read back; the worker fails its run with this sentence.
            var logPath = DataLayout.JobLogRelative(projectId, jobId);
            LogUnwritable(logger, logPath, attempt.N, logs.Describe(ex));
            return LeaseAnswer<LogBatchAnswer>.Unwritable($"the Api cannot write the job log {logPath}: {logs.Describe(ex)}");
        }
    }

    private async Task<LeaseAnswer<LogBatchAnswer>> StoreAsync(
        JobKey key, AttemptRecord attempt, LogBatch batch, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var held = await shipped.HoldAsync(key, cancellationToken);
        var first = batch.Lines[0].Seq;
        if (first > held.Log.Highest + 1 && !held.Log.Capped)
            return LeaseAnswer<LogBatchAnswer>.Behind(
                $"The batch starts at seq {first} but the Api holds attempt {attempt.N}'s lines up to seq {held.Log.Highest}: send from seq {held.Log.Highest + 1}.",
                held.Log.Highest + 1);
        if (batch.Lines[^1].Seq <= held.Log.Highest)
            return LeaseAnswer<LogBatchAnswer>.Ok(new LogBatchAnswer(held.Log.Highest));

        // Whether the attempt ended is read under the lock: a report takes it too, so no line slips in after the outcome.
        var now = await store.GetAsync(key.ProjectId, key.JobId, cancellationToken);
        if (now?.Attempts.FirstOrDefault(a => a.N == attempt.N) is { Status: not JobStatus.Running } ended && !held.Log.LateMarked)
        {
            using (logger.BeginJobScope(key.ProjectId, key.JobId, attempt.N))
                LogLate(logger, attempt.N, attempt.WorkerId, ended.LeaseLost == true ? "worker lost" : ended.Status.Wire());
            held.Log = held.Log with { LateMarked = true };
        }
        // The lines not held yet, in one append (one round trip in cluster mode); past the cap, one marker after them.
        var fresh = batch.Lines.Where(line => line.Seq > held.Log.Highest).ToList();
        JobLinesAppended appended;
        try
        {
            appended = await logs.AppendToJobAsync(key, [.. fresh.Select(line => body.Slice(line.Start, line.Length))], cancellationToken);
        }
        catch
        {
            held.Forget(); // some lines may be stored all the same: the next batch reads back what the log holds
            throw;
        }
        if (appended.Outcome == JobLogAppend.CapReached)
            logs.AppendMarkerToJob(key, JobLogCapMarker.Line(ServiceDefaults.ServiceIdentity.Api.Component, key, logs.JobLogCapBytes));
        for (var i = 0; i < fresh.Count; i++)
            held.Log = held.Log.Stored(fresh[i].Line, appended.Offsets[i] is >= 0 and var offset ? offset : null);
        return LeaseAnswer<LogBatchAnswer>.Ok(new LogBatchAnswer(held.Log.Highest));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot write the job log {LogPath} (attempt {Attempt}): {Reason}")]
    private static partial void LogUnwritable(ILogger logger, string logPath, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Late entries of attempt {LateAttempt} from worker {WorkerId} arrive after the attempt ended ({Ending}); they do not change its outcome")]
    private static partial void LogLate(ILogger logger, int lateAttempt, string workerId, string ending);
}
