using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.Api.Store.Files;

/// <summary>
/// The log store of files mode: every log a JSONL file under the data root (DESIGN.md, Data layout), appended with one
/// O_APPEND write per line so lines never tear or interleave, read by windows while appends go on. It is the logging
/// pipeline's destination, so it is made before any logger and takes none.
/// </summary>
internal sealed class FileLogStore : FileLogDestination, ILogStore
{
    private readonly DataLayout _layout;
    private readonly RuntimeLogFiles _runtimeLogs;

    public FileLogStore(DataLayout layout, string service, long jobLogCapBytes, TimeProvider time) : base(layout, service, jobLogCapBytes, time) =>
        (_layout, _runtimeLogs) = (layout, new RuntimeLogFiles(layout));

    /// <summary>The store the settings name (see <see cref="FileLogDestination(IConfiguration, string, TimeProvider)"/>).</summary>
    public FileLogStore(IConfiguration configuration, string service, TimeProvider time) : base(configuration, service, time) =>
        (_layout, _runtimeLogs) = (Layout, new RuntimeLogFiles(Layout));

    public Task<ILogReader> OpenAsync(LogName log, CancellationToken cancellationToken = default) =>
        Task.FromResult<ILogReader>(LogFile.Open(PathOf(log)));

    public long Append(LogName log, ReadOnlySpan<byte> line)
    {
        // Events are rare and a folder retention removed is simply made again: the file is opened per line.
        using var file = AppendOnlyFile.Open(PathOf(log));
        return file.AppendAt(line);
    }

    public Task<JobLinesAppended> AppendToJobAsync(JobKey job, IReadOnlyList<ReadOnlyMemory<byte>> lines, CancellationToken cancellationToken = default)
    {
        // A write per line, as the kernel appends them (other writers of the log may come between).
        var offsets = new long[lines.Count];
        var outcome = JobLogAppend.Appended;
        for (var i = 0; i < lines.Count; i++)
        {
            var appended = AppendToJob(job, lines[i].Span, wantOffset: true, out offsets[i]);
            if (outcome == JobLogAppend.Appended)
                outcome = appended;
        }
        return Task.FromResult(new JobLinesAppended(offsets, outcome));
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

    private string PathOf(LogName log) => log.Kind switch
    {
        LogKind.Job => _layout.JobLog(log.Owner, log.JobId!),
        LogKind.Runtime => _layout.RuntimeLog(log.Owner),
        _ => _layout.Events(log.Owner),
    };
}
