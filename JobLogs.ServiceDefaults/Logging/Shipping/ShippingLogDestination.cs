namespace JobLogs.ServiceDefaults.Logging.Shipping;

/// <summary>
/// The destination of a service without the data root: every runtime line to its local runtime file, the notable ones
/// (<see cref="RuntimeLine.Notable"/>) and job lines (the web's <c>ui</c> entries) also to the <see cref="ShippingQueue"/>,
/// for the Api, which keeps the job logs, their caps and the runtime logs the system view reads.
/// </summary>
public sealed class ShippingLogDestination(ShippingQueue queue, LocalRuntimeLog local) : ILogDestination
{
    /// <summary>The Api gives offsets and applies the cap: none is known here.</summary>
    public JobLogAppend AppendToJob(JobKey job, ReadOnlySpan<byte> line, bool wantOffset, out long offset)
    {
        offset = -1;
        queue.Add(job, line);
        return JobLogAppend.Appended;
    }

    public void AppendMarkerToJob(JobKey job, ReadOnlySpan<byte> line) => queue.Add(job, line);

    public void AppendToRuntime(ReadOnlySpan<byte> line, RuntimeLine kind)
    {
        local.Append(line);
        if (kind == RuntimeLine.Notable)
            queue.Add(null, line);
    }

    public long JobLogCapBytes => long.MaxValue;

    public string Describe(Exception failure) => failure.Message;

    public void Dispose() => local.Dispose();
}
