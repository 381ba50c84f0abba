using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Logging.Shipping;

namespace JobLogs.Worker.Spool;

/// <summary>
/// The worker's log destination: job lines go to their attempt's spool (numbered, then shipped to the Api, which keeps
/// the job log and its cap); runtime lines go to <paramref name="runtime"/>: the local runtime file, and the notable ones
/// to the Api. The worker writes nothing under a data root.
/// </summary>
internal sealed class SpoolLogDestination(WorkerSpool spool, ShippingLogDestination runtime) : ILogDestination
{
    /// <summary>
    /// Offsets are the Api's to give (it computes the card's <c>logOffset</c> from what it stored), so none is returned;
    /// a line of an attempt with no spool here, or one a full spool cannot take, is dropped (the spool's marker counts it).
    /// </summary>
    public JobLogAppend AppendToJob(JobKey job, ReadOnlySpan<byte> line, bool wantOffset, out long offset)
    {
        offset = -1;
        return spool.Append(job, line) ? JobLogAppend.Appended : JobLogAppend.Dropped;
    }

    // The Api writes the job log's cap marker itself; a spool never reports the cap.
    public void AppendMarkerToJob(JobKey job, ReadOnlySpan<byte> line) => spool.Append(job, line);

    public void AppendToRuntime(ReadOnlySpan<byte> line, RuntimeLine kind) => runtime.AppendToRuntime(line, kind);

    public long JobLogCapBytes => runtime.JobLogCapBytes;

    public string Describe(Exception failure) => failure.Message.Replace(spool.Folder + "/", "", StringComparison.Ordinal);

    public void Dispose() => runtime.Dispose();
}
