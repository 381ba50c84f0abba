using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.Api.Store.Files;

/// <summary>
/// The log store of files mode: every log a JSONL file under the data root (DESIGN.md, Data layout), appended with one
/// O_APPEND write per line so lines never tear or interleave, read by windows while appends go on. It is the logging
/// pipeline's destination, so it is made before any logger and takes none.
/// </summary>
internal sealed class FileLogStore(FileLogDestination destination) : ILogStore
{
    private readonly DataLayout _layout = destination.Layout;
    private readonly RuntimeLogFiles _runtimeLogs = new(destination.Layout);

    public Task<ILogReader> OpenAsync(LogName log, CancellationToken cancellationToken = default) =>
        Task.FromResult<ILogReader>(LogFile.Open(PathOf(log)));

    public long Append(LogName log, ReadOnlySpan<byte> line)
    {
        // Events are rare and a folder retention removed is simply made again: the file is opened per line.
        using var file = AppendOnlyFile.Open(PathOf(log));
        return file.AppendAt(line);
    }

    public Task<long> SizeAsync(LogName log, CancellationToken cancellationToken = default) =>
        Task.FromResult(new FileInfo(PathOf(log)) is { Exists: true, LinkTarget: null } file ? file.Length : 0);

    public async Task<long> DeleteAsync(LogName log, CancellationToken cancellationToken = default)
    {
        var size = await SizeAsync(log, cancellationToken);
        File.Delete(PathOf(log));
        return size;
    }

    public Task<RuntimeLogTrim?> TrimRuntimeAsync(string service, long maxBytes, int keep, CancellationToken cancellationToken = default) =>
        Task.FromResult(_runtimeLogs.Rotate(service, maxBytes, keep));

    public JobLogAppend AppendToJob(JobKey job, ReadOnlySpan<byte> line, bool wantOffset, out long offset) =>
        destination.AppendToJob(job, line, wantOffset, out offset);

    public void AppendMarkerToJob(JobKey job, ReadOnlySpan<byte> line) => destination.AppendMarkerToJob(job, line);

    public void AppendToRuntime(ReadOnlySpan<byte> line) => destination.AppendToRuntime(line);

    public long JobLogCapBytes => destination.JobLogCapBytes;

    public string Describe(Exception failure) => destination.Describe(failure);

    public void Dispose() => destination.Dispose();

    private string PathOf(LogName log) => log.Kind switch
    {
        LogKind.Job => _layout.JobLog(log.Owner, log.JobId!),
        LogKind.Runtime => _layout.RuntimeLog(log.Owner),
        _ => _layout.Events(log.Owner),
    };
}
