using JobLogs.Api.Extensions;
using JobLogs.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Jobs;

/// <summary>Cancel and retry a job. The web forwards both; each records where the request came from.</summary>
internal static class JobControlApi
{
    private const int MaxBy = 100, MaxReason = 500, MaxHeader = 300;

    public static IEndpointRouteBuilder MapJobControlApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/projects/{projectId}/jobs/{jobId}").WithTags("Jobs");
        group.MapPost("/cancel", Cancel)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/retry", Retry)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return routes;
    }

    /// <summary>A queued job is canceled at once (200); a running one stops at its worker's next heartbeat (202).</summary>
    private static async Task<Results<Ok<Job>, Accepted<Job>, ValidationProblem, ProblemHttpResult>> Cancel(
        string projectId, string jobId, JobControlRequest? body, HttpContext context, JobControl control)
    {
        if (Invalid(projectId, jobId, body) is { } invalid)
            return invalid;
        var result = await control.CancelAsync(projectId, jobId, Origin(context, body), body?.Reason, context.RequestAborted);
        return result.Outcome switch
        {
            ControlOutcome.Done => TypedResults.Ok(result.Job!.ToWire()),
            ControlOutcome.Requested => TypedResults.Accepted(Location(projectId, jobId), result.Job!.ToWire()),
            ControlOutcome.Conflict => Problems.Conflict(result.Problem!),
            _ => Problems.JobNotFound(projectId, jobId),
        };
    }

    /// <summary>A finished job is queued again (202); its next run is a new attempt in the same log.</summary>
    private static async Task<Results<Accepted<Job>, ValidationProblem, ProblemHttpResult>> Retry(
        string projectId, string jobId, JobControlRequest? body, HttpContext context, JobControl control)
    {
        if (Invalid(projectId, jobId, body) is { } invalid)
            return invalid;
        var result = await control.RetryAsync(projectId, jobId, Origin(context, body), body?.Reason, context.RequestAborted);
        return result.Outcome switch
        {
            ControlOutcome.Requested => TypedResults.Accepted(Location(projectId, jobId), result.Job!.ToWire()),
            ControlOutcome.Conflict => Problems.Conflict(result.Problem!),
            _ => Problems.JobNotFound(projectId, jobId),
        };
    }

    private static ValidationProblem? Invalid(string projectId, string jobId, JobControlRequest? body)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        if (body?.By is { } by && (by.Length is 0 or > MaxBy || by.Any(char.IsControl)))
            return Problems.Invalid("by", $"\"by\" names who asks: 1 to {MaxBy} characters, no control characters.");
        if (body?.Reason is { Length: > MaxReason })
            return Problems.Invalid("reason", $"\"reason\" is {body.Reason.Length} characters long; at most {MaxReason} are allowed.");
        return null;
    }

    /// <summary>
    /// What the Api knows about who asked. X-Forwarded-For is recorded as given (the web's proxy sets it); it is not
    /// trusted as the address, which is always the connection's own.
    /// </summary>
    private static RequestOrigin Origin(HttpContext context, JobControlRequest? body) => new(
        body?.By,
        context.Connection.RemoteIpAddress?.ToString(),
        Header(context, "X-Forwarded-For"),
        Header(context, "User-Agent"));

    private static string? Header(HttpContext context, string name)
    {
        var value = context.Request.Headers[name].ToString();
        if (value.Length == 0)
            return null;
        var printable = string.Concat(value.Where(c => !char.IsControl(c)));
        return printable.Length <= MaxHeader ? printable : printable[..MaxHeader] + "…";
    }

    private static string Location(string projectId, string jobId) => $"/api/projects/{projectId}/jobs/{jobId}";
}
