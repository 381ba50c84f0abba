namespace JobLogs.Worker.Jobs;

/// <summary>
/// A fresh, empty folder of one attempt on the worker's own disk, where its outputs wait for their upload (a python
/// tool writes into it; ComfyUI's downloads land in it). Only its owner can read it; disposing removes it with all it holds.
/// </summary>
internal sealed class OutputFolder : IDisposable
{
    private OutputFolder(string path) => Path = path;

    public string Path { get; }

    public static OutputFolder Create(JobContext context)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "joblogs-worker", "outputs", context.Job.ProjectId, $"{context.Job.Id}-{context.Attempt}");
        // Left by a worker that died mid-run: nothing in it belongs to this attempt.
        if (Directory.Exists(path))
            Directory.Delete(path, recursive: true);
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(path);
        else
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new OutputFolder(path);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true); // removes links inside without following them
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
