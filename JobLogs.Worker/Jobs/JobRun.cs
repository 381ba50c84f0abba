using System.Diagnostics;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Redaction;
using JobLogs.ServiceDefaults.Telemetry;
using JobLogs.Worker.Api;
using JobLogs.Worker.Failures;
using JobLogs.Workers;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.Jobs;

/// <summary>
/// Runs one claimed attempt from start to report: its trace (continued from the Api's), its job log scope, its
/// lease, its deadline. Every way it can end becomes an outcome with a failure card; a run never throws. What it
/// reports — card and output — is redacted first, and the report carries what each redaction rule took out.
/// </summary>
internal sealed partial class JobRuns(
    ApiClient api, IEnumerable<IJobRunner> runners, JobLogTally tally, Redactor redactor, IOptions<WorkerOptions> options, TimeProvider time,
    ILogger<JobRuns> logger)
{
    public async Task RunAsync(Claim claim, CancellationToken stopping)
    {
        var job = claim.Job;
        var key = new JobKey(job.ProjectId, job.Id, claim.Attempt);
        var attemptTally = tally.Watch(key);
        using var activity = JobTelemetry.StartRun(claim);

        using (logger.BeginJobScope(job.ProjectId, job.Id, claim.Attempt))
        try
        {
            var context = new JobContext(claim);
            var started = time.GetTimestamp();
            LogStarted(logger, claim.Attempt, job.Type, options.Value.WorkerId);

            Outcome outcome;
            await using (var lease = new LeaseKeeper(api, claim, () => new Heartbeat(claim.LeaseToken, attemptTally.Counts, attemptTally.Redactions.Snapshot()),
                options.Value.LeaseMargin, time, logger))
            {
                outcome = await RunToOutcome(context, lease, stopping);
                outcome = WithLogFailure(outcome, attemptTally);
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
                // The Api no longer holds this attempt for us: a report would be refused, and the attempt ends
                // there as "worker lost" (or is re-queued).
                if (lease.LostReason is not null)
                    return;
            }
            await ReportAsync(claim, outcome, attemptTally, stopping);
        }
        finally
        {
            tally.Stop(key);
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
                return Failed(Card(context, "lease lost", $"The run stopped because {reason}.", "worker"), null);
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

    private static Outcome WithLogFailure(Outcome outcome, AttemptTally attemptTally) =>
        attemptTally.WriteFailure is { } failure
            ? outcome with
            {
                Status = JobStatus.Failed,
                Card = new FailureCard
                {
                    Message = $"The job log could not be written: {failure.Message}.",
                    Type = FailureTypes.LogUnwritable, Component = "worker", Stage = "log",
                    Where = outcome.Card?.Where,
                },
            }
            : outcome;

    private static Outcome Failed(FailureCard card, Exception? exception) => new(JobStatus.Failed, null, card, exception);

    private static FailureCard Card(JobContext context, string type, string message, string component) =>
        new() { Message = message, Type = type, Component = component, Stage = context.Stage, Where = context.Where };

    /// <summary>The job's own deadline (input <c>deadlineSeconds</c>) when it is shorter than the worker's.</summary>
    private TimeSpan Deadline(Job job) =>
        job.Input.TryGetProperty("deadlineSeconds", out var seconds) && seconds.ValueKind == JsonValueKind.Number
        && TimeSpan.FromSeconds(seconds.GetDouble()) is var own && own < options.Value.JobDeadline
            ? own
            : options.Value.JobDeadline;

    /// <summary>Sends the report until the Api takes it (2xx) or refuses the lease (409), or the lease runs out.</summary>
    private async Task ReportAsync(Claim claim, Outcome outcome, AttemptTally attemptTally, CancellationToken stopping)
    {
        var report = new Report(claim.LeaseToken, outcome.Status, outcome.Output, outcome.Card, attemptTally.Counts, attemptTally.Redactions.Snapshot());
        var retry = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                // Past shutdown the report still gets a short chance: it is what tells the Api the attempt ended.
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(10), time);
                var reply = await api.ReportAsync(claim.Job, report, attempt.Token);
                if (reply.LeaseLost)
                    LogReportRefused(logger, reply.Conflict!);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                var left = claim.LeaseExpiresAt - time.GetUtcNow();
                if (left <= retry || stopping.IsCancellationRequested && left <= TimeSpan.Zero)
                {
                    LogReportGaveUp(logger, ex.Message);
                    return;
                }
                LogReportRetry(logger, ex.Message, retry.TotalMilliseconds);
                await Task.Delay(retry, time, CancellationToken.None);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private sealed record Outcome(JobStatus Status, JsonElement? Output, FailureCard? Card, Exception? Exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt} of {Type} started on worker {WorkerId}")]
    private static partial void LogStarted(ILogger logger, int attempt, string type, string workerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job succeeded in {DurationMs} ms")]
    private static partial void LogSucceeded(ILogger logger, long durationMs);

    [LoggerMessage(Message = "Job {Status} after {DurationMs} ms: {Failure} (at {Where})")]
    private static partial void LogEnded(ILogger logger, LogLevel level, string status, long durationMs, string failure, string where, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Api refused the report: {Reason}")]
    private static partial void LogReportRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send the report ({Reason}); sending it again in {RetryMs:0} ms")]
    private static partial void LogReportRetry(ILogger logger, string reason, double retryMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up sending the report: the lease ran out ({Reason})")]
    private static partial void LogReportGaveUp(ILogger logger, string reason);
}
