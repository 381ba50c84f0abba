namespace JobLogs;

/// <summary>
/// Where everything lives under the data root (see data/README.md). Every path built here comes from
/// validated ids and is checked to stay under the root.
/// </summary>
public sealed class DataLayout
{
    public DataLayout(string dataRoot)
    {
        if (!Path.IsPathFullyQualified(dataRoot))
            throw new ArgumentException($"The data root must be an absolute path; got '{dataRoot}'.", nameof(dataRoot));
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataRoot));
    }

    public string Root { get; }

    public string ProjectsDirectory => Path.Combine(Root, "projects");
    public string RuntimeLogsDirectory => Path.Combine(Root, "runtime", "logs");

    public string ProjectDirectory(string projectId) => Under(Path.Combine(ProjectsDirectory, Id(projectId)));
    public string JobsDirectory(string projectId) => Path.Combine(ProjectDirectory(projectId), "jobs");
    public string JobRecord(string projectId, string jobId) => Under(Path.Combine(JobsDirectory(projectId), Id(jobId) + ".json"));
    public string JobLog(string projectId, string jobId) => Path.Combine(Root, JobLogRelative(projectId, jobId));
    public string ProjectFiles(string projectId) => Path.Combine(ProjectDirectory(projectId), "files");
    public string Assets(string projectId, string jobId) => Under(Path.Combine(ProjectFiles(projectId), "assets", Id(jobId)));
    public string Events(string projectId) => Path.Combine(ProjectDirectory(projectId), "events.jsonl");
    public string RuntimeLog(string service) => Under(Path.Combine(RuntimeLogsDirectory, Id(service) + ".jsonl"));

    /// <summary>The job log's path relative to the data root, with '/' separators: the record's <c>logPath</c>.</summary>
    public static string JobLogRelative(string projectId, string jobId) =>
        $"projects/{Id(projectId)}/files/logs/jobs/{Id(jobId)}.jsonl";

    /// <summary>
    /// A path under the project's files folder, relative to the data root with '/' separators: an uploaded asset's
    /// <c>path</c> (<c>projects/p/files/assets/&lt;jobId&gt;/out.png</c>), whichever store holds it.
    /// </summary>
    public static string ProjectFileRelative(string projectId, string path) => $"projects/{Id(projectId)}/files/{path}";

    /// <summary><paramref name="path"/> relative to the root with '/' separators, or null when it is not under the root.</summary>
    public string? Relative(string path)
    {
        var full = Path.GetFullPath(path);
        return IsUnderRoot(full) ? Path.GetRelativePath(Root, full).Replace(Path.DirectorySeparatorChar, '/') : null;
    }

    /// <summary>Resolves a relative path under the root; null when it would leave the root.</summary>
    public string? Resolve(string relativePath)
    {
        if (string.IsNullOrEmpty(relativePath) || Path.IsPathRooted(relativePath) || relativePath.Contains('\0'))
            return null;
        var full = Path.GetFullPath(Path.Combine(Root, relativePath));
        return IsUnderRoot(full) ? full : null;
    }

    private bool IsUnderRoot(string fullPath) =>
        fullPath.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private string Under(string path)
    {
        var full = Path.GetFullPath(path);
        return IsUnderRoot(full) ? full : throw new ArgumentException("The path leaves the data root.", nameof(path));
    }

    private static string Id(string id) =>
        Ids.IsValid(id) ? id : throw new ArgumentException(Ids.Problem("id", id), nameof(id));
}
