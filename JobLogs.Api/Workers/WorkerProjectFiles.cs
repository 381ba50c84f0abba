using JobLogs.Api.Extensions;
using JobLogs.Api.Store;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Workers;

/// <summary>
/// <c>GET /api/worker/projects/{projectId}/files/{path}</c>: a file of the project that a job names as its input (a
/// <c>workflowPath</c>), so a worker needs no copy of the data root. Only what a job may name is served: a relative
/// path of plain names under the project's files, never its logs.
/// </summary>
internal static class WorkerProjectFiles
{
    private const int MaxPathLength = 512;

    public static async Task<Results<FileStreamHttpResult, ValidationProblem, ProblemHttpResult>> Get(
        string projectId, string? path, HttpContext context, IProjectFileStore files)
    {
        if (Problems.InvalidIds(("projectId", projectId)) is { } invalid)
            return invalid;
        path = RouteText.Unescaped(path ?? "");
        if (PathProblem(path) is { } problem)
            return Problems.Invalid("path", problem);
        if (await files.FindAsync(projectId, path.Split('/'), context.RequestAborted) is not { } file)
            return Problems.NotFound($"Project {projectId} has no file '{QueryParameters.Shorten(path)}' in its files.");
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.Stream(file.Open(), "application/octet-stream", lastModified: file.LastModified);
    }

    /// <summary>
    /// Why a job could not name <paramref name="path"/> as an input file, or null when it could: the rule of every
    /// project file's path, also where a store puts one.
    /// </summary>
    internal static string? PathProblem(string path)
    {
        var shown = QueryParameters.Shorten(path);
        if (path.Length == 0)
            return "Give the file's path relative to the project's files folder.";
        if (path.Length > MaxPathLength)
            return $"A project file's path must be at most {MaxPathLength} characters; this one has {path.Length}.";
        if (path.StartsWith('/') || path.Contains('\\'))
            return $"A project file's path is relative to the project's files folder, with '/' between names: '{shown}' is not.";
        if (path.Any(char.IsControl))
            return "A project file's path must not contain control characters.";
        var segments = path.Split('/');
        if (segments.Any(s => s is "" or "." or ".."))
            return $"A project file's path is made of names, without empty parts, '.' or '..': '{shown}' is not.";
        if (segments[0] == "logs")
            return "Job logs are not project files a job can take as input; they are read through the log routes.";
        return null;
    }
}
