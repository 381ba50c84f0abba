using System.Diagnostics;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Redaction;
using JobLogs.ServiceDefaults.Telemetry;
using JobLogs.Worker.Api;
using JobLogs.Worker.Failures;
using JobLogs.Worker.Spool;
using JobLogs.Workers;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.Jobs;

/// <summary>
/// Runs one claimed attempt from start to report: its trace (continued from the Api's), its job log scope, its
/// lease, its deadline. Every way it can end becomes an outcome with a failure card; a run never throws. What it
/// reports — card and output — is redacted first, and the report carries what each redaction rule took out.
/// </summary>
internal sealed partial class JobRuns(
    ApiClient api, IEnumerable<IJobRunner> runners, WorkerSpool spool, ReportSender reports, JobLogTally tally, Redactor redactor,
    IOptions<WorkerOptions> options, TimeProvider time, ILogger<JobRuns> logger)
{
    // How long a run's end waits for the Api to hold its lines before it reports (the report waits again if need be).
    private static readonly TimeSpan ShipWait = TimeSpan.FromSeconds(2);

    public async Task RunAsync(Claim claim, CancellationToken stopping)
    {
        var job = claim.Job;
        var key = new JobKey(job.ProjectId, job.Id, claim.Attempt);
        var attemptTally = tally.Watch(key);
        using var activity = JobTelemetry.StartRun(claim);
        if (await SpoolAsync(claim) is not { } attemptSpool)
            return;

        using (logger.BeginJobScope(job.ProjectId, job.Id, claim.Attempt))
        try
        {
            var context = new JobContext(claim, attemptSpool.EnterStage);
            var started = time.GetTimestamp();
            LogStarted(logger, claim.Attempt, job.Type, options.Value.WorkerId);

            Outcome outcome;
            DateTimeOffset leaseExpiresAt;
            await using (var lease = new LeaseKeeper(api, claim, () => new Heartbeat(claim.LeaseToken, attemptTally.Counts, attemptTally.Redactions.Snapshot()),
                options.Value.LeaseMargin, time, logger))
            {
                outcome = await RunToOutcome(context, lease, stopping);
                // The Api's answer to the last lines tells whether it could store the log at all. A run that lost its
                // lease does not wait: nothing of it may be logged after the lease expires.
                if (lease.LostReason is null)
                    await spool.WaitShippedAsync(attemptSpool, attemptSpool.LastSeq, ShipWait, CancellationToken.None);
                outcome = WithLogFailure(outcome, attemptTally, attemptSpool);
                var elapsed = time.GetElapsedTime(started);
                // What leaves the worker in the report is redacted here, with its own secrets: the Api may not know them.
                outcome = outcome with
                {
                    Card = outcome.Card is { } failure ? redactor.Redact(failure, attemptTally.Redactions) : null,
                    Output = outcome.Output is { } output ? redactor.Redact(output, attemptTally.Redactions) : null,
                };
                if (outcome.Card is { } card)
                {
                    RecordFailure(context.StageSpan ?? activity, card, outcome.Exception);
                    if (context.StageSpan is not null)
                        RecordFailure(activity, card, null);
                    LogEnded(logger, outcome.Status == JobStatus.Canceled ? LogLevel.Warning : LogLevel.Error,
                        outcome.Status.Wire(), (long)elapsed.TotalMilliseconds, card.Message, card.Where ?? card.Stage, outcome.Exception);
                    outcome = outcome with
                    {
                        Card = HintRules.Apply(card) with
                        {
                            LogOffset = attemptTally.FirstErrorOffset,
                            Ids = context.PromptId is { } promptId ? new FailureIds { PromptId = promptId } : card.Ids,
                        },
                    };
                }
                else
                    LogSucceeded(logger, (long)elapsed.TotalMilliseconds);
                context.EndStage();
                JobTelemetry.RunEnded(job.Type, outcome.Status, elapsed, outcome.Card?.Rule);
                leaseExpiresAt = lease.ExpiresAt;
            }
            // A run that lost its lease reports too: the Api may still hold the lease (only the worker's clock said it
            // was running out), and otherwise its 409 is how this run learns, in its job log, that the Api ended it.
            // A log the Api refused is not waited for: its lines will never be there.
            var lastSeq = attemptSpool.Seal();
            var report = new Report(claim.LeaseToken, outcome.Status, outcome.Output, outcome.Card, attemptTally.Counts,
                attemptTally.Redactions.Snapshot(), LastSeq: attemptSpool.Refused is null ? lastSeq : null);
            await reports.SendAsync(job.ProjectId, job.Id, claim.Attempt, attemptSpool, report,
                () => leaseExpiresAt + (stopping.IsCancellationRequested ? TimeSpan.Zero : options.Value.ReportPatience));
        }
        finally
        {
            tally.Stop(key);
            // Lines logged from here on still ship (as late lines); the file goes once the Api holds them all.
            attemptSpool.Ended = true;
            spool.Wake();
        }
    }

    /// <summary>
    /// The attempt's spool; when it cannot be made, the attempt is reported failed at once (with nowhere to write its
    /// log, it cannot run) and the reason goes to the service log.
    /// </summary>
    private async Task<AttemptSpool?> SpoolAsync(Claim claim)
    {
        try
        {
            return spool.Begin(claim, options.Value.WorkerId);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogSpoolFailed(logger, claim.Job.ProjectId, claim.Job.Id, claim.Attempt, ex.Message);
            var card = new FailureCard
            {
                Message = $"The worker could not start the attempt's log spool: {ex.Message}.",
                Type = FailureTypes.LogUnwritable, Component = "worker", Stage = "log",
            };
            await reports.SendAsync(claim.Job.ProjectId, claim.Job.Id, claim.Attempt, null,
                new Report(claim.LeaseToken, JobStatus.Failed, Error: card), () => claim.LeaseExpiresAt);
            return null;
        }
    }

    private async Task<Outcome> RunToOutcome(JobContext context, LeaseKeeper lease, CancellationToken stopping)
    {
        var deadlineAfter = Deadline(context.Job);
        using var deadline = new CancellationTokenSource(deadlineAfter, time);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stopping, lease.Token, deadline.Token);
        try
        {
            if (runners.FirstOrDefault(r => r.Type == context.Job.Type) is not { } runner)
                throw new InvalidOperationException($"This worker has no runner for job type '{context.Job.Type}'.");
            var output = await runner.RunAsync(context, run.Token);
            return new Outcome(JobStatus.Succeeded, output ?? JsonSerializer.SerializeToElement(new { }), null, null);
        }
        catch (JobFailedException failed)
        {
            return Failed(failed.Card, failed.InnerException);
        }
        catch (OperationCanceledException ex) when (run.IsCancellationRequested)
        {
            if (lease.CancelRequested)
                return new Outcome(JobStatus.Canceled, null, Card(context, FailureTypes.Canceled, "The job was cancelled on request.", "worker"), null);
            if (lease.LostReason is { } reason)
                return Failed(Card(context, FailureTypes.LeaseLost, $"The run stopped because {reason}.", "worker"), null);
            if (deadline.IsCancellationRequested)
                return Failed(Card(context, FailureTypes.DeadlineExceeded, $"The job did not finish within its deadline of {deadlineAfter}.", "worker"), null);
            return Failed(Card(context, FailureTypes.WorkerStopped, "The worker stopped while the job ran.", "worker"), ex);
        }
        catch (Exception ex)
        {
            return Failed(Card(context, ex.GetType().FullName ?? ex.GetType().Name, ex.Message, "worker"), ex);
        }
    }

    // The card's message is redacted already; an exception is recorded redacted (an event cannot be changed later).
    private void RecordFailure(Activity? span, FailureCard card, Exception? exception)
    {
        if (exception is not null)
            span.RecordRedactedException(exception, redactor);
        span?.SetStatus(ActivityStatusCode.Error, card.Message);
    }

    /// <summary>A log the worker could not spool, or one the Api could not store, fails the job whatever the run did.</summary>
    private static Outcome WithLogFailure(Outcome outcome, AttemptTally attemptTally, AttemptSpool attemptSpool) =>
        (attemptTally.WriteFailure?.Message, attemptSpool.Refused) switch
        {
            ({ } failure, _) => LogFailed(outcome, failure, "worker"),
            (null, { } refused) => LogFailed(outcome, refused.TrimEnd('.'), "backend"),
            _ => outcome,
        };

    private static Outcome LogFailed(Outcome outcome, string reason, string component) => outcome with
    {
        Status = JobStatus.Failed,
        Card = new FailureCard
        {
            Message = $"The job log could not be written: {reason}.",
            Type = FailureTypes.LogUnwritable, Component = component, Stage = "log",
            Where = outcome.Card?.Where,
        },
    };

    private static Outcome Failed(FailureCard card, Exception? exception) => new(JobStatus.Failed, null, card, exception);

    private static FailureCard Card(JobContext context, string type, string message, string component) =>
        new() { Message = message, Type = type, Component = component, Stage = context.Stage, Where = context.Where };

    /// <summary>The job's own deadline (input <c>deadlineSeconds</c>) when it is shorter than the worker's.</summary>
    private TimeSpan Deadline(Job job) =>
        job.Input.TryGetProperty("deadlineSeconds", out var seconds) && seconds.ValueKind == JsonValueKind.Number
        && TimeSpan.FromSeconds(seconds.GetDouble()) is var own && own < options.Value.JobDeadline
            ? own
            : options.Value.JobDeadline;

    private sealed record Outcome(JobStatus Status, JsonElement? Output, FailureCard? Card, Exception? Exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt} of {Type} started on worker {WorkerId}")]
    private static partial void LogStarted(ILogger logger, int attempt, string type, string workerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job succeeded in {DurationMs} ms")]
    private static partial void LogSucceeded(ILogger logger, long durationMs);

    [LoggerMessage(Message = "Job {Status} after {DurationMs} ms: {Failure} (at {Where})")]
    private static partial void LogEnded(ILogger logger, LogLevel level, string status, long durationMs, string failure, string where, Exception? exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot run job {ProjectId}/{JobId} attempt {Attempt}: its log spool cannot be made ({Reason})")]
    private static partial void LogSpoolFailed(ILogger logger, string projectId, string jobId, int attempt, string reason);
}
