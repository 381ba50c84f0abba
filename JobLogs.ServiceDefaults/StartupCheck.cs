namespace JobLogs.ServiceDefaults;

/// <summary>
/// Something a service must find before it serves (a database it stores in, say), checked after its settings and before
/// its endpoints: a problem stops the service with the check's one sentence, as a bad setting does (ServiceRunner).
/// </summary>
public interface IStartupCheck
{
    /// <summary>Null when all is well; else the sentence that says what is wrong and where, naming no secret.</summary>
    Task<string?> CheckAsync(CancellationToken cancellationToken);
}
