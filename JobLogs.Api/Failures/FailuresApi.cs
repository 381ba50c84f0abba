using System.Globalization;
using JobLogs.Api.Extensions;
using JobLogs.Api.Jobs;
using JobLogs.Api.Store;
using JobLogs.Failures;
using JobLogs.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Failures;

/// <summary>
/// <c>GET /api/failures?since=&amp;projectId=&amp;take=</c>: recent failures across projects grouped by
/// <see cref="FailureFingerprint"/>, computed from the in-memory index (records only, never logs).
/// </summary>
internal static class FailuresApi
{
    public const int MaxGroups = 200;
    private const int RecentPerGroup = 5;
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);
    private static readonly string[] Parameters = ["since", "projectId", "take"];
    private static readonly IReadOnlySet<JobStatus> FailedOnly = new HashSet<JobStatus> { JobStatus.Failed };

    public static IEndpointRouteBuilder MapFailuresApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/failures").WithTags("Failures").MapGet("/", List);
        return routes;
    }

    private static async Task<Results<Ok<FailureGroupsPage>, ValidationProblem>> List(HttpRequest request, IJobStore store, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        request.RefuseUnknown(Parameters, errors);
        var now = time.GetUtcNow();
        var since = now - DefaultWindow;
        if (request.Single("since", errors) is { } sinceText)
        {
            if (DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                since = parsed;
            else
                errors["since"] = [$"since must be a date and time in ISO 8601, e.g. 2026-11-28T10:00:00Z; got '{QueryParameters.Shorten(sinceText)}'."];
        }
        var projectId = request.Single("projectId", errors);
        if (projectId is not null && Ids.Problem("projectId", projectId) is { } idProblem)
            errors["projectId"] = [idProblem];
        var take = request.Number("take", 50, 1, MaxGroups, errors);
        if (errors.Count > 0)
            return Problems.Invalid(errors);

        var listed = await store.ListAsync(new JobQuery { ProjectId = projectId, Statuses = FailedOnly, FinishedSince = since }, request.HttpContext.RequestAborted);
        var failed = listed.Page.Where(job => job.Error is not null).ToList();
        var groups = failed
            .GroupBy(job => FailureFingerprint.Of(job.Error!))
            .Select(group => Group(group.Key, [.. group.OrderBy(FailedAt).ThenBy(j => j.Id, StringComparer.Ordinal)]))
            .OrderByDescending(g => g.Latest.At)
            .Take(take)
            .ToList();
        return TypedResults.Ok(new FailureGroupsPage(since, failed.Count, groups));
    }

    private static FailureGroup Group(string fingerprint, List<JobRecord> jobs)
    {
        var latest = jobs[^1];
        var card = latest.Error!;
        return new FailureGroup(
            fingerprint, card.Rule, card.Type, card.Component, card.Stage,
            card.Where is null ? null : FailureFingerprint.Normalize(card.Where), FailureFingerprint.Normalize(card.Message),
            card.Message, card.Hint, jobs.Count, [.. jobs.Select(j => j.ProjectId).Distinct().Order(StringComparer.Ordinal)],
            Failed(jobs[0]), Failed(latest), [.. jobs.AsEnumerable().Reverse().Take(RecentPerGroup).Select(Failed)]);
    }

    private static DateTimeOffset FailedAt(JobRecord job) => job.FinishedAt ?? job.CreatedAt;

    private static FailedJob Failed(JobRecord job) => new(job.ProjectId, job.Id, FailedAt(job), job.SpecId, job.AssetId);
}
