using JobLogs.Api.Extensions;
using JobLogs.Api.Store;
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

    private static async Task<Ok<IReadOnlyList<string>>> ListProjects(IJobStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ProjectsAsync(cancellationToken));

    private static async Task<Results<Created<Job>, ValidationProblem, ProblemHttpResult>> Create(
        string projectId, CreateJobRequest request, JobCreator creator, CancellationToken cancellationToken)
    {
        if (Problems.InvalidIds(("projectId", projectId)) is { } invalid)
            return invalid;
        var result = await creator.CreateAsync(projectId, request, cancellationToken);
        if (result.Job is { } job)
            return TypedResults.Created($"/api/projects/{projectId}/jobs/{job.Id}", job.ToWire());
        return result.IsUnavailable ? Problems.Unavailable(result.Problem!) : Problems.Invalid(result.Field!, result.Problem!);
    }

    private static readonly string[] ListParameters = ["status", "type", "q", "skip", "take"];
    private static readonly string[] Statuses = [.. Enum.GetValues<JobStatus>().Select(s => s.Wire())];

    /// <summary>
    /// A project's jobs, newest first, from the index (never from logs): <c>status</c> and <c>type</c> (one or more,
    /// comma-separated), <c>q</c> (part of a job, spec or asset id, any case), <c>skip</c> and <c>take</c> (1-500).
    /// </summary>
    private static async Task<Results<Ok<JobPage>, ValidationProblem>> List(string projectId, HttpRequest request, IJobStore store)
    {
        if (Problems.InvalidIds(("projectId", projectId)) is { } invalid)
            return invalid;
        var errors = new Dictionary<string, string[]>();
        request.RefuseUnknown(ListParameters, errors);
        var skip = request.Number("skip", 0, 0, int.MaxValue, errors);
        var take = request.Number("take", 50, 1, MaxPageSize, errors);
        var statuses = request.Set("status", Statuses, errors);
        var types = request.Set("type", [.. JobCreator.KnownTypes.Order()], errors);
        var text = request.Single("q", errors)?.Trim();
        if (text is { Length: > 64 })
            errors["q"] = [$"q is {text.Length} characters long; ids are at most 64."];
        if (errors.Count > 0)
            return Problems.Invalid(errors);

        var (page, total) = await store.ListAsync(new JobQuery
        {
            ProjectId = projectId, Statuses = statuses is null ? null : Enum.GetValues<JobStatus>().Where(s => statuses.Contains(s.Wire())).ToHashSet(), Types = types, IdText = text,
            Skip = skip, Take = take,
        }, request.HttpContext.RequestAborted);
        return TypedResults.Ok(new JobPage([.. page.Select(j => j.ToSummary())], total));
    }

    private static async Task<Results<Ok<Job>, ValidationProblem, ProblemHttpResult>> Get(
        string projectId, string jobId, IJobStore store, Redactor redactor, CancellationToken cancellationToken)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        // The input is stored as given (the worker runs it); what people see of it is redacted, e.g. an absolute
        // weight path in a tool's args shows as {models}/...
        return await store.GetAsync(projectId, jobId, cancellationToken) is { } job
            ? TypedResults.Ok(job.ToWire() with { Input = redactor.Redact(job.Input) })
            : Problems.JobNotFound(projectId, jobId);
    }
}
