using JobLogs.Api.Extensions;
using JobLogs.Api.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Logs;

/// <summary>
/// A job's log: <c>GET /api/projects/{projectId}/jobs/{jobId}/log?tailBytes=80000</c> answers the last tailBytes
/// (1 to 1,048,576; default 80,000) as whole lines in the tail response, or as raw JSONL.
/// </summary>
internal static class LogsApi
{
    public static IEndpointRouteBuilder MapLogsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/projects").WithTags("Logs")
            .MapGet("/{projectId}/jobs/{jobId}/log", Tail).ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static Results<TailResult, ValidationProblem, ProblemHttpResult> Tail(
        string projectId, string jobId, HttpRequest request, JobStore store, DataLayout layout)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        var (query, errors) = TailQuery.Parse(request);
        if (errors is not null)
            return Problems.Invalid(errors);
        if (store.Get(projectId, jobId) is null)
            return Problems.JobNotFound(projectId, jobId);
        return new TailResult(LogWindow.Tail(layout.JobLog(projectId, jobId), query!.TailBytes), query.RawJsonl);
    }
}
