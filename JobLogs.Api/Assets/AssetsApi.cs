using System.Text.RegularExpressions;
using JobLogs.Api.Extensions;
using JobLogs.Api.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;

namespace JobLogs.Api.Assets;

/// <summary>
/// A job's output files: <c>GET /api/projects/{projectId}/jobs/{jobId}/assets/{path}</c> serves one from the asset store.
/// The path is checked strictly: plain name segments only (the store never follows a link nor leaves the job's assets).
/// Images are shown inline; anything else is downloaded, never rendered by the browser.
/// </summary>
internal static partial class AssetsApi
{
    private const int MaxSegments = 8;
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private static readonly HashSet<string> InlineTypes = ["image/png", "image/jpeg", "image/gif", "image/webp"];

    public static IEndpointRouteBuilder MapAssetsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/projects/{projectId}/jobs/{jobId}/assets").WithTags("Assets")
            .MapGet("/{**path}", Get).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        return routes;
    }

    private static async Task<Results<FileStreamHttpResult, ValidationProblem, ProblemHttpResult>> Get(
        string projectId, string jobId, string? path, HttpContext context, IJobStore store, IAssetStore assets)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        var segments = (path ?? "").Split('/');
        if (segments.Length > MaxSegments || !segments.All(SegmentRegex().IsMatch))
            return Problems.Invalid("path", $"The asset path '{QueryParameters.Shorten(path)}' is not valid: use up to {MaxSegments} names of letters, digits, '.', '-', '_' or spaces, separated by '/', none starting with '.'.");
        if (await store.GetAsync(projectId, jobId, context.RequestAborted) is not { } job)
            return Problems.JobNotFound(projectId, jobId);
        if (job.LogRemoved is { } removed)
            return Problems.LogRemoved(jobId, removed);
        if (await assets.FindAsync(projectId, jobId, segments, context.RequestAborted) is not { } asset)
            return Problems.NotFound($"Job {jobId} has no asset '{QueryParameters.Shorten(path)}'.");

        if (!ContentTypes.TryGetContentType(asset.Name, out var contentType))
            contentType = "application/octet-stream";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        return InlineTypes.Contains(contentType)
            ? TypedResults.Stream(asset.Open(), contentType, lastModified: asset.LastModified, enableRangeProcessing: true)
            : TypedResults.Stream(asset.Open(), "application/octet-stream", fileDownloadName: asset.Name, lastModified: asset.LastModified, enableRangeProcessing: true);
    }

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._ -]{0,127}$")]
    private static partial Regex SegmentRegex();
}
