using JobLogs.Api.Store;
using Microsoft.Extensions.Options;

namespace JobLogs.Api.Retention;

/// <summary>Keeps each service log (backend, worker, web) under its size; the Api is their one rotation owner.</summary>
internal sealed partial class RuntimeLogRotation(ILogStore logs, IOptions<RetentionOptions> options, ILogger<RuntimeLogRotation> logger)
{
    /// <summary>Rotates each service log past its size and removes the oldest rotated ones; returns how many were rotated.</summary>
    public async Task<int> RotateAllAsync(CancellationToken cancellationToken = default)
    {
        var rotated = 0;
        foreach (var service in LogName.Services)
        {
            if (await logs.TrimRuntimeAsync(service, options.Value.RuntimeLogMaxBytes, options.Value.RuntimeLogFiles, cancellationToken) is not { } trim)
                continue;
            rotated++;
            LogRotated(logger, service, trim.Bytes, trim.Generation);
            foreach (var old in trim.RemovedGenerations)
                LogRemoved(logger, service, old);
        }
        return rotated;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated the {Service} log at {Bytes} bytes; it is now generation {Generation}")]
    private static partial void LogRotated(ILogger logger, string service, long bytes, int generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed generation {Generation} of the {Service} log (retention keeps fewer files)")]
    private static partial void LogRemoved(ILogger logger, string service, int generation);
}
