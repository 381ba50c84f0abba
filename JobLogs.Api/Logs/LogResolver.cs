using JobLogs.Api.Extensions;
using JobLogs.Api.Store;
using JobLogs.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Logs;

/// <summary>
/// The one place a log request becomes the log it names, opened, or the ProblemDetails that says why not: the ids, the
/// query, the job (it exists, its log was not removed by retention) or the service, and offsets within the log.
/// </summary>
internal sealed class LogResolver(IJobStore jobs, ILogStore logs)
{
    public async Task<ResolvedLog> JobLogAsync(string projectId, string jobId, HttpRequest request, bool stream)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return new(null, invalid);
        var (query, errors) = stream ? TailQuery.ParseStream(request) : TailQuery.ParseTail(request);
        if (errors is not null)
            return new(null, Problems.Invalid(errors));
        if (await jobs.GetAsync(projectId, jobId, request.HttpContext.RequestAborted) is not { } job)
            return new(null, Problems.JobNotFound(projectId, jobId));
        if (job.LogRemoved is { } removed)
            return new(null, Problems.LogRemoved(jobId, removed));
        return await OpenAsync(LogName.Job(projectId, jobId), query!, request, async cancellationToken =>
            await jobs.GetAsync(projectId, jobId, cancellationToken) is { Status: var status } current && status.IsFinished()
                ? new LogEnd(status.Wire(), current.FinishedAt ?? current.CreatedAt) : null);
    }

    public async Task<ResolvedLog> ServiceLogAsync(string service, HttpRequest request, bool stream)
    {
        if (!LogName.Services.Contains(service))
            return new(null, Problems.NotFound($"There is no service log named '{QueryParameters.Shorten(service)}'; the services are {string.Join(", ", LogName.Services)}."));
        var (query, errors) = stream ? TailQuery.ParseStream(request) : TailQuery.ParseTail(request);
        if (errors is not null)
            return new(null, Problems.Invalid(errors));
        return await OpenAsync(LogName.Runtime(service), query!, request, finished: null);
    }

    /// <summary>A 400 for an offset that lies past the end of <paramref name="log"/>: it cannot come from this log.</summary>
    public static ValidationProblem? PastEnd(ILogReader log, params (string Name, long? Offset)[] offsets)
    {
        var size = log.Length;
        return offsets.FirstOrDefault(o => o.Offset > size) is { Name: { } name, Offset: { } offset }
            ? Problems.Invalid(name, $"{name}={offset} lies past the end of the log, which is {size} bytes long.")
            : null;
    }

    private async Task<ResolvedLog> OpenAsync(LogName name, TailQuery query, HttpRequest request, Func<CancellationToken, Task<LogEnd?>>? finished)
    {
        var reader = await logs.OpenAsync(name, request.HttpContext.RequestAborted);
        // A stream resumed from Last-Event-ID names that header as the offset it checks.
        var after = query.IsStream && request.Headers.ContainsKey("Last-Event-ID") ? "Last-Event-ID" : "after";
        if (PastEnd(reader, (after, query.After), ("before", query.Before)) is { } problem)
        {
            reader.Dispose();
            return new(null, problem);
        }
        return new(new OpenLog(name, reader, query, finished), null);
    }
}

/// <summary>A log opened for one request, with the query that reads it; <see cref="Finished"/> says when a job's log has ended (null: it never does).</summary>
internal sealed record OpenLog(LogName Name, ILogReader Reader, TailQuery Query, Func<CancellationToken, Task<LogEnd?>>? Finished);

/// <summary>How the job whose log it is finished, and when.</summary>
internal readonly record struct LogEnd(string Status, DateTimeOffset At);

/// <summary>What a log request resolved to: the open log, or the problem that answers the request.</summary>
internal sealed record ResolvedLog(OpenLog? Log, IResult? Problem)
{
    /// <summary>The problem, or the answer <paramref name="render"/> makes of the log.</summary>
    public IResult Answer(Func<OpenLog, IResult> render) => Problem ?? render(Log!);
}
