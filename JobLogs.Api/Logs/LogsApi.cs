using JobLogs.Api.Extensions;
using JobLogs.Api.Jobs;
using JobLogs.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Logs;

/// <summary>
/// A job's log. <c>GET …/jobs/{jobId}/log</c> answers one window as the tail response (or raw JSONL, or a download;
/// see <see cref="TailQuery"/>); <c>GET …/jobs/{jobId}/log/stream</c> follows it as Server-Sent Events until the job
/// has finished and its log is drained (see <see cref="LogStream"/>).
/// </summary>
internal static class LogsApi
{
    public static IEndpointRouteBuilder MapLogsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/projects").WithTags("Logs");
        group.MapGet("/{projectId}/jobs/{jobId}/log", Tail).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        group.MapGet("/{projectId}/jobs/{jobId}/log/stream", Stream).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        return routes;
    }

    private static Results<TailResult, ValidationProblem, ProblemHttpResult> Tail(
        string projectId, string jobId, HttpRequest request, JobStore store, DataLayout layout)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        var (query, errors) = TailQuery.ParseTail(request);
        if (errors is not null)
            return Problems.Invalid(errors);
        if (store.Get(projectId, jobId) is not { } job)
            return Problems.JobNotFound(projectId, jobId);
        if (job.LogRemoved is { } removed)
            return Problems.LogRemoved(jobId, removed);
        var (result, problem) = TailResult.For(layout.JobLog(projectId, jobId), query!, $"{jobId}.jsonl");
        return result is not null ? result : problem!;
    }

    private static Results<ServerSentEventsResult<string>, ValidationProblem, ProblemHttpResult> Stream(
        string projectId, string jobId, HttpContext context, JobStore store, DataLayout layout, LogStream stream)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        var (query, errors) = TailQuery.ParseStream(context.Request);
        if (errors is not null)
            return Problems.Invalid(errors);
        if (store.Get(projectId, jobId) is not { } job)
            return Problems.JobNotFound(projectId, jobId);
        if (job.LogRemoved is { } removed)
            return Problems.LogRemoved(jobId, removed);
        (string, DateTimeOffset)? Finished() => store.Get(projectId, jobId) is { Status: var status } current && status.IsFinished()
            ? (status.Wire(), current.FinishedAt ?? current.CreatedAt) : null;
        var (events, problem) = stream.Start(context, layout.JobLog(projectId, jobId), query!, Finished);
        return events is not null ? events : problem!;
    }
}
