namespace JobLogs.Testing;

/// <summary>Files of the repository the tests and benchmarks use as they are: tools/, comfyui-standin/ and its recorded capture, build outputs.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The configuration this program was built with (Debug, Release), from its output folder bin/&lt;configuration&gt;/&lt;framework&gt;.</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>A project's build output of the same build as this program (bin/&lt;configuration&gt;/&lt;framework&gt;).</summary>
    public static string BuildOutput(string project) =>
        Path(project, "bin", Configuration, new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar)).Name);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "JobLogs.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No JobLogs.sln above {AppContext.BaseDirectory}.");
    }
}
