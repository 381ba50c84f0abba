using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.Api.Store.Files;

/// <summary>
/// The log store of files mode: every log a JSONL file under the data root (DESIGN.md, Data layout), appended with one
/// O_APPEND write per line so lines never tear or interleave, read by windows while appends go on. It is the logging
/// pipeline's destination, so it is made before any logger and takes none. Every append through it wakes the streams
/// that follow that log (<see cref="LogAppends"/>); what other processes append, streams find by polling.
/// </summary>
internal sealed class FileLogStore : FileLogDestination, ILogStore
{
    private readonly DataLayout _layout;
    private readonly RuntimeLogFiles _runtimeLogs;
    private readonly LogName _runtimeLog;
    private readonly LogAppends _appends = new();

    public FileLogStore(DataLayout layout, string service, long jobLogCapBytes, TimeProvider time) : base(layout, service, jobLogCapBytes, time) =>
        (_layout, _runtimeLogs, _runtimeLog) = (layout, new RuntimeLogFiles(layout), LogName.Runtime(service));

    /// <summary>The store the settings name (see <see cref="FileLogDestination(IConfiguration, string, TimeProvider)"/>).</summary>
    public FileLogStore(IConfiguration configuration, string service, TimeProvider time) : base(configuration, service, time) =>
        (_layout, _runtimeLogs, _runtimeLog) = (Layout, new RuntimeLogFiles(Layout), LogName.Runtime(service));

    public Task<ILogReader> OpenAsync(LogName log, CancellationToken cancellationToken = default) =>
        Task.FromResult<ILogReader>(LogFile.Open(PathOf(log)));

    public LogWatch Watch(LogName log) => _appends.Watch(log);

    public long Append(LogName log, ReadOnlySpan<byte> line)
    {
        // Events are rare and a folder retention removed is simply made again: the file is opened per line.
        long offset;
        using (var file = AppendOnlyFile.Open(PathOf(log)))
            offset = file.AppendAt(line);
        _appends.Appended(log);
        return offset;
    }

    public override JobLogAppend AppendToJob(JobKey job, ReadOnlySpan<byte> line, bool wantOffset, out long offset)
    {
        var appended = base.AppendToJob(job, line, wantOffset, out offset);
        if (appended == JobLogAppend.Appended)
            _appends.Appended(LogName.Job(job.ProjectId, job.JobId));
        return appended;
    }

    public override void AppendMarkerToJob(JobKey job, ReadOnlySpan<byte> line)
    {
        base.AppendMarkerToJob(job, line);
        _appends.Appended(LogName.Job(job.ProjectId, job.JobId));
    }

    public override void AppendToRuntime(ReadOnlySpan<byte> line, RuntimeLine kind)
    {
        base.AppendToRuntime(line, kind);
        _appends.Appended(_runtimeLog);
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
