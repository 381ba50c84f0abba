using System.ComponentModel.DataAnnotations;

namespace JobLogs.Api.Logs;

/// <summary>How log streams (Server-Sent Events) follow a file (section <c>JobLogs:LogStreams</c>).</summary>
internal sealed class LogStreamOptions
{
    public const string Section = "JobLogs:LogStreams";

    /// <summary>How often a stream looks at the file's size for appended lines (a stat call; file watchers miss other processes' writes).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10", ErrorMessage = "JobLogs:LogStreams:PollInterval must be between 10 ms and 10 seconds.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A quiet stream sends a heartbeat this often, so proxies keep it open.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "JobLogs:LogStreams:HeartbeatInterval must be between 100 ms and 5 minutes.")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A job's stream ends once the job has finished and its log has been quiet this long: the Api writes the
    /// "reported" entry just after the record says finished, and the stream must not end before it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "JobLogs:LogStreams:SettleTime must be between 0 and 1 minute.")]
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(1);
}
