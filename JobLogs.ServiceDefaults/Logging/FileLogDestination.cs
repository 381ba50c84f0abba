using Microsoft.Extensions.Configuration;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// Lines to files under the data root: job logs (<see cref="JobLogFiles"/>) and the service's runtime log. The Api's
/// log store is one of these that also reads.
/// </summary>
public class FileLogDestination : ILogDestination
{
    private readonly JobLogFiles _jobLogs;
    private readonly RuntimeLog _runtimeLog;

    public FileLogDestination(DataLayout layout, string service, long jobLogCapBytes, TimeProvider time)
    {
        Layout = layout;
        _jobLogs = new JobLogFiles(layout, jobLogCapBytes, time);
        _runtimeLog = new RuntimeLog(layout.RuntimeLog(service), time);
    }

    /// <summary>
    /// The destination the settings name. Read leniently: the logger is built before options are validated, and a bad
    /// setting is reported by that validation in one sentence (a data root that is not absolute never gets here).
    /// </summary>
    public FileLogDestination(IConfiguration configuration, string service, TimeProvider time)
        : this(new DataLayout(configuration[$"{JobLogsOptions.Section}:DataRoot"]!), service,
            configuration.GetValue($"{JobLogsOptions.Section}:JobLogCapBytes", new JobLogsOptions().JobLogCapBytes), time)
    {
    }

    public DataLayout Layout { get; }

    // The appends are virtual: the Api's log store also wakes the streams that follow the log appended to.
    public virtual JobLogAppend AppendToJob(JobKey job, ReadOnlySpan<byte> line, bool wantOffset, out long offset) =>
        _jobLogs.Append(job, line, wantOffset, out offset);

    public virtual void AppendMarkerToJob(JobKey job, ReadOnlySpan<byte> line) => _jobLogs.AppendMarker(job, line);

    public virtual void AppendToRuntime(ReadOnlySpan<byte> line, RuntimeLine kind) => _runtimeLog.Append(line);

    public long JobLogCapBytes => _jobLogs.CapBytes;

    public string Describe(Exception failure) => _jobLogs.Describe(failure);

    public void Dispose()
    {
        _jobLogs.Dispose();
        _runtimeLog.Dispose();
        GC.SuppressFinalize(this);
    }
}
