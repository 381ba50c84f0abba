using System.Text.RegularExpressions;
using JobLogs.Api.Extensions;
using JobLogs.Api.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;

namespace JobLogs.Api.Assets;

/// <summary>
/// A job's output files: <c>GET /api/projects/{projectId}/jobs/{jobId}/assets/{path}</c> serves a file under the job's
/// assets folder (<see cref="DataLayout.Assets"/>). The path is checked strictly: plain name segments only, never a
/// link, never outside the folder. Images are shown inline; anything else is downloaded, never rendered by the browser.
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

    private static Results<PhysicalFileHttpResult, ValidationProblem, ProblemHttpResult> Get(
        string projectId, string jobId, string? path, HttpContext context, JobStore store, DataLayout layout)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        var segments = (path ?? "").Split('/');
        if (segments.Length > MaxSegments || !segments.All(SegmentRegex().IsMatch))
            return Problems.Invalid("path", $"The asset path '{QueryParameters.Shorten(path)}' is not valid: use up to {MaxSegments} names of letters, digits, '.', '-', '_' or spaces, separated by '/', none starting with '.'.");
        if (store.Get(projectId, jobId) is not { } job)
            return Problems.JobNotFound(projectId, jobId);
        if (job.LogRemoved is { } removed)
            return Problems.LogRemoved(jobId, removed);

        var folder = layout.Assets(projectId, jobId);
        var file = Path.GetFullPath(Path.Combine([folder, .. segments]));
        if (!file.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(file) || HasLink(folder, file))
            return Problems.NotFound($"Job {jobId} has no asset '{QueryParameters.Shorten(path)}'.");

        if (!ContentTypes.TryGetContentType(file, out var contentType))
            contentType = "application/octet-stream";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        return InlineTypes.Contains(contentType)
            ? TypedResults.PhysicalFile(file, contentType, enableRangeProcessing: true)
            : TypedResults.PhysicalFile(file, "application/octet-stream", fileDownloadName: Path.GetFileName(file), enableRangeProcessing: true);
    }

    /// <summary>True when the file or a folder between it and the assets folder is a symbolic link (it could point anywhere).</summary>
    private static bool HasLink(string folder, string file)
    {
        for (var current = file; current.Length > folder.Length; current = Path.GetDirectoryName(current)!)
            if (new FileInfo(current).LinkTarget is not null)
                return true;
        return false;
    }

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._ -]{0,127}$")]
    private static partial Regex SegmentRegex();
}
