using System.Globalization;
using JobLogs.Api.Extensions;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Redaction;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Jobs;

/// <summary>Jobs of a project: create, list (from the index, never from logs), get.</summary>
internal static class JobsApi
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/projects").WithTags("Jobs");
        group.MapGet("/", ListProjects);
        group.MapPost("/{projectId}/jobs", Create).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/{projectId}/jobs", List);
        group.MapGet("/{projectId}/jobs/{jobId}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static Ok<IReadOnlyList<string>> ListProjects(JobStore store) => TypedResults.Ok(store.Projects());

    private static Results<Created<Job>, ValidationProblem, ProblemHttpResult> Create(string projectId, CreateJobRequest request, JobCreator creator)
    {
        if (Problems.InvalidIds(("projectId", projectId)) is { } invalid)
            return invalid;
        var result = creator.Create(projectId, request);
        if (result.Job is { } job)
            return TypedResults.Created($"/api/projects/{projectId}/jobs/{job.Id}", job.ToWire());
        return result.IsUnavailable ? Problems.Unavailable(result.Problem!) : Problems.Invalid(result.Field!, result.Problem!);
    }

    private static Results<Ok<JobPage>, ValidationProblem> List(string projectId, HttpRequest request, JobStore store)
    {
        if (Problems.InvalidIds(("projectId", projectId)) is { } invalid)
            return invalid;
        var errors = new Dictionary<string, string[]>();
        var skip = Number(request, "skip", 0, 0, int.MaxValue, errors);
        var take = Number(request, "take", 50, 1, MaxPageSize, errors);
        JobStatus? status = null;
        if (request.Query["status"].ToString() is { Length: > 0 } statusText)
        {
            if (Enum.TryParse<JobStatus>(statusText, ignoreCase: true, out var parsed) && !int.TryParse(statusText, out _))
                status = parsed;
            else
                errors["status"] = [$"status must be one of queued, running, succeeded, failed, canceled; got '{statusText}'."];
        }
        if (errors.Count > 0)
            return Problems.Invalid(errors);

        var type = request.Query["type"].ToString();
        var (page, total) = store.List(projectId,
            job => (status is null || job.Status == status) && (type.Length == 0 || job.Type == type),
            skip, take);
        return TypedResults.Ok(new JobPage([.. page.Select(j => j.ToSummary())], total));
    }

    private static Results<Ok<Job>, ValidationProblem, ProblemHttpResult> Get(string projectId, string jobId, JobStore store, Redactor redactor)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        // The input is stored as given (the worker runs it); what people see of it is redacted, e.g. an absolute
        // weight path in a tool's args shows as {models}/...
        return store.Get(projectId, jobId) is { } job
            ? TypedResults.Ok(job.ToWire() with { Input = redactor.Redact(job.Input) })
            : Problems.JobNotFound(projectId, jobId);
    }

    private static int Number(HttpRequest request, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        var text = request.Query[name];
        if (text.Count == 0)
            return fallback;
        if (text.Count == 1 && int.TryParse(text[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        errors[name] = [$"{name} must be a whole number from {min} to {max}; got '{text}'."];
        return fallback;
    }
}
