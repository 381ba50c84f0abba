using JobLogs.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Extensions;

/// <summary>The ProblemDetails answers every route shares: a sentence that says what is wrong.</summary>
internal static class Problems
{
    /// <summary>A 400 naming each invalid id, or null when all are valid.</summary>
    public static ValidationProblem? InvalidIds(params (string Kind, string? Value)[] ids)
    {
        var errors = ids
            .Select(id => (id.Kind, Problem: Ids.Problem(id.Kind, id.Value)))
            .Where(e => e.Problem is not null)
            .ToDictionary(e => e.Kind, e => new[] { e.Problem! });
        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(v => v)));
    }

    public static ValidationProblem Invalid(string field, string problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [problem] }, detail: problem);

    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(v => v)));

    // 404, 409 and 503 answers are ProblemHttpResults so they pass through the ProblemDetails service
    // (traceId, the failed-request log) like every other error; routes declare them with ProducesProblem.
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");

    /// <summary>
    /// The one answer for a job whose log and assets retention removed, on the log, stream and asset routes: 410 Gone
    /// (the job exists, so a 404 would mislead) with when and why.
    /// </summary>
    public static ProblemHttpResult LogRemoved(string jobId, LogRemoval removal) =>
        TypedResults.Problem($"The log and assets of job {jobId} were removed by retention at {removal.At:u} ({removal.Reason}).",
            statusCode: StatusCodes.Status410Gone, title: "Removed by retention");

    public static ProblemHttpResult JobNotFound(string projectId, string jobId) =>
        NotFound($"Job {jobId} does not exist in project {projectId}.");
}
