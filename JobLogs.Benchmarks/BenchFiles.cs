namespace JobLogs.Benchmarks;

/// <summary>A scratch folder per benchmark class, on the same disk as the data root would be.</summary>
internal sealed class BenchFiles : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "joblogs-bench", Guid.NewGuid().ToString("N"));

    public BenchFiles() => Directory.CreateDirectory(Root);

    public string File(string name) => Path.Combine(Root, name);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
