using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Redaction;
using JobLogs.Worker.Failures;
using JobLogs.Worker.Jobs;
using JobLogs.Workers;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.Spool;

/// <summary>
/// At start, takes over the spools a dead worker left in the spool folder (their lock is free): the shipper ships them
/// beside the claims of new work, and each attempt is reported failed at once as "worker restarted", its card naming the
/// stage the run was in and the last entry it logged. The report names the spool's last seq, so the Api takes it only
/// once it holds every line; an attempt the Api already ended (its lease ran out meanwhile) keeps that end, and its
/// lines are stored as late.
/// </summary>
internal sealed partial class RestartedAttempts(
    WorkerSpool spool, ReportSender reports, Redactor redactor, IOptions<WorkerOptions> options, TimeProvider time, ILogger<RestartedAttempts> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        List<(AttemptSpool Spool, byte[]? LastLine)> adopted;
        try
        {
            adopted = spool.AdoptLeft();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCannotAdopt(logger, ex.Message);
            return Task.CompletedTask;
        }
        return Task.WhenAll(adopted.Select(a => ReportAsync(a.Spool, a.LastLine)));
    }

    private async Task ReportAsync(AttemptSpool attempt, byte[]? lastLine)
    {
        var header = attempt.Header;
        var stage = AttemptSpool.StageOf(attempt.Path);
        var (lastAt, lastMsg) = lastLine is null ? (null, null) : SpoolLines.Summary(lastLine);
        var last = lastMsg is null ? "it had logged nothing" : $"its last entry was {lastAt:HH:mm:ss} '{Cut(lastMsg)}'";
        var where = stage is null ? "" : $" during stage `{stage}`";
        var message = $"Worker {header.WorkerId} restarted{where} of attempt {header.Attempt}; {last}.";

        using (logger.BeginJobScope(header.ProjectId, header.JobId, header.Attempt))
        {
            LogRestarted(logger, header.WorkerId, header.Attempt, stage ?? "(unknown)", options.Value.WorkerId, last);
            var card = redactor.Redact(new FailureCard
            {
                Message = message, Type = FailureTypes.WorkerRestarted, Component = "worker", Stage = stage ?? "run",
            }, new RedactionCounts());
            var report = new Report(header.LeaseToken, JobStatus.Failed, Error: HintRules.Apply(card), LastSeq: attempt.Seal());
            var giveUpAt = time.GetUtcNow() + options.Value.ReportPatience;
            await reports.SendAsync(header.ProjectId, header.JobId, header.Attempt, attempt, report, () => giveUpAt);
        }
        spool.Wake();
    }

    private static string Cut(string text) => text.Length <= 200 ? text : text[..200] + "…";

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerId} restarted while attempt {Attempt} ran (stage {Stage}): worker {AdoptedBy} took over its spool, ships its log and reports the attempt failed; {LastEntry}")]
    private static partial void LogRestarted(ILogger logger, string workerId, int attempt, string stage, string adoptedBy, string lastEntry);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot look for spools left by a worker that died: {Reason}")]
    private static partial void LogCannotAdopt(ILogger logger, string reason);
}
