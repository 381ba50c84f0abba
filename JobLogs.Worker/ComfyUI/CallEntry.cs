using System.Diagnostics;
using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// The job log entry of one HTTP call to ComfyUI: <c>component: comfyui</c>, <c>data.call {target, op, status}</c> with
/// what the call adds, and method, path, outcome and duration in the message.
/// </summary>
internal static class CallEntry
{
    /// <summary><paramref name="target"/> is the call's endpoint; <paramref name="started"/> its <see cref="Stopwatch"/> timestamp.</summary>
    public static void Write(ILogger logger, string op, string method, string target, string status, long started, LogLevel level, Dictionary<string, object?>? extra)
    {
        using var component = logger.BeginComponentScope("comfyui");
        var data = new Dictionary<string, object?>
        {
            ["call"] = new Dictionary<string, object?> { ["target"] = target, ["op"] = op, ["status"] = status },
        };
        foreach (var (key, value) in extra ?? [])
            if (value is not null)
                data[key] = value;
        var pathOnly = new Uri(target).AbsolutePath;
        logger.LogWithData(level, null, data, "{Method} {Path}: {Outcome} ({DurationMs} ms)", method, pathOnly,
            int.TryParse(status, out _) ? $"answered {status}" : status, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
