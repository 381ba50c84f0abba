namespace JobLogs.Tests.Support;

/// <summary>Files of the repository the tests use as they are: tools/, comfyui-standin/ and its recorded capture.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "JobLogs.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No JobLogs.sln above {AppContext.BaseDirectory}.");
    }
}
