using JobLogs.Api.Extensions;
using JobLogs.Api.Store;
using JobLogs.Events;
using JobLogs.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Events;

/// <summary>
/// What people do with a project's assets, kept as project events: <c>POST …/assets/{assetId}/approval</c> approves an
/// asset (optionally one job's output of it) → asset.approved; <c>POST …/exports</c> exports assets → export.created with
/// a new export id. An asset is known by the jobs that name it (their <c>assetId</c>); an unknown one is refused.
/// Each answers 201 with the event written and its offset.
/// </summary>
internal static class AssetActionsApi
{
    private const int MaxBy = 100, MaxNote = 500, MaxAssets = 100;

    public static async Task<Results<Created<ProjectEventItem>, ValidationProblem, ProblemHttpResult>> Approve(
        string projectId, string assetId, AssetApprovalRequest? body, IJobStore store, ProjectEvents events, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("assetId", assetId)) is { } invalid)
            return invalid;
        var errors = new Dictionary<string, string[]>();
        if (body?.JobId is { } given && Ids.Problem("jobId", given) is { } jobProblem)
            errors["jobId"] = [jobProblem];
        if (body?.By is { } by && (by.Length is 0 or > MaxBy || by.Any(char.IsControl)))
            errors["by"] = [$"\"by\" names who approves: 1 to {MaxBy} characters, no control characters."];
        if (body?.Note is { Length: > MaxNote } note)
            errors["note"] = [$"\"note\" is {note.Length} characters long; at most {MaxNote} are allowed."];
        if (errors.Count > 0)
            return Problems.Invalid(errors);

        string? specId = null;
        if (body?.JobId is { } jobId)
        {
            if (await store.GetAsync(projectId, jobId, cancellationToken) is not { } job)
                return Problems.JobNotFound(projectId, jobId);
            if (job.AssetId != assetId)
                return Problems.Invalid("jobId", job.AssetId is null
                    ? $"Job {jobId} does not name an asset, so it cannot be approved as asset {assetId}."
                    : $"Job {jobId} makes asset {job.AssetId}, not asset {assetId}.");
            if (job.Status != JobStatus.Succeeded)
                return Problems.Conflict($"Job {jobId} is {job.Status.Wire()}: only the output of a succeeded job can be approved.");
            specId = job.SpecId;
        }
        else if ((await KnownAssets(store, projectId, [assetId], cancellationToken)).Count == 0)
            return Problems.NotFound($"No job of project {projectId} names asset {assetId}.");

        return Written(events, projectId, new ProjectEvent
        {
            Ts = time.GetUtcNow(), Type = ProjectEventTypes.AssetApproved, ProjectId = projectId,
            JobId = body?.JobId, AssetId = assetId, SpecId = specId,
            Data = body is { By: null, Note: null } or null ? null : new ProjectEventData { By = body.By, Note = body.Note },
        });
    }

    public static async Task<Results<Created<ProjectEventItem>, ValidationProblem, ProblemHttpResult>> Export(
        string projectId, ExportRequest body, IJobStore store, ProjectEvents events, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Problems.InvalidIds(("projectId", projectId)) is { } invalid)
            return invalid;
        var errors = new Dictionary<string, string[]>();
        var assetIds = body.AssetIds ?? [];
        if (assetIds.Count is 0 or > MaxAssets)
            errors["assetIds"] = [$"\"assetIds\" lists the assets to export: 1 to {MaxAssets} asset ids; got {assetIds.Count}."];
        else if (assetIds.Select((id, i) => Ids.Problem($"assetIds[{i}]", id)).FirstOrDefault(p => p is not null) is { } idProblem)
            errors["assetIds"] = [idProblem];
        else if (assetIds.Distinct(StringComparer.Ordinal).Count() != assetIds.Count)
            errors["assetIds"] = ["\"assetIds\" names an asset more than once."];
        else if (assetIds.Except(await KnownAssets(store, projectId, assetIds, cancellationToken)).ToList() is { Count: > 0 } unknown)
            errors["assetIds"] = [$"No job of project {projectId} names asset {string.Join(", ", unknown)}."];
        if (body.Target is { } target && Ids.Problem("target", target) is { } targetProblem)
            errors["target"] = [targetProblem];
        if (errors.Count > 0)
            return Problems.Invalid(errors);

        var now = time.GetUtcNow();
        return Written(events, projectId, new ProjectEvent
        {
            Ts = now, Type = ProjectEventTypes.ExportCreated, ProjectId = projectId,
            // Export ids are made like job ids: sortable by time, unique without coordination.
            Data = new ProjectEventData { ExportId = Ids.NewJobId(now), AssetIds = assetIds, Target = body.Target },
        });
    }

    /// <summary>Which of <paramref name="assetIds"/> a job of the project names.</summary>
    private static async Task<HashSet<string>> KnownAssets(IJobStore store, string projectId, IReadOnlyCollection<string> assetIds, CancellationToken cancellationToken) =>
        [.. (await store.ListAsync(new JobQuery { ProjectId = projectId, AssetIds = assetIds.ToHashSet(StringComparer.Ordinal) }, cancellationToken)).Page.Select(job => job.AssetId!)];

    private static Results<Created<ProjectEventItem>, ValidationProblem, ProblemHttpResult> Written(
        ProjectEvents events, string projectId, ProjectEvent projectEvent) =>
        events.Append(projectEvent) is { } written
            ? TypedResults.Created($"/api/projects/{projectId}/events?after={written.Offset}", written)
            : Problems.Unavailable($"The {projectEvent.Type} event could not be written to the project's events; nothing was recorded. The Api's service log says why.");
}
