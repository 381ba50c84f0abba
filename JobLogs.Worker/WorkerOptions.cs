using System.ComponentModel.DataAnnotations;

namespace JobLogs.Worker;

/// <summary>How the worker claims and runs jobs (section <c>JobLogs:Worker</c>).</summary>
internal sealed class WorkerOptions
{
    public const string Section = "JobLogs:Worker";

    /// <summary>The Api's address; <c>http://api</c> is resolved by service discovery.</summary>
    [Required(ErrorMessage = "JobLogs:Worker:ApiUrl is not set: give the Api's address, e.g. http://api.")]
    [Url(ErrorMessage = "JobLogs:Worker:ApiUrl must be an http(s) URL.")]
    public string ApiUrl { get; set; } = "http://api";

    /// <summary>Names this worker in leases and logs; defaults to host name and process id.</summary>
    [RegularExpression(Ids.InstancePattern, ErrorMessage = "JobLogs:Worker:WorkerId must be 1 to 128 letters, digits, '.', ':', '-' or '_'.")]
    public string WorkerId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    [Range(1, 64, ErrorMessage = "JobLogs:Worker:Concurrency must be from 1 to 64 jobs at once.")]
    public int Concurrency { get; set; } = 2;

    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "JobLogs:Worker:PollInterval must be between 50 ms and 1 minute.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A run whose lease cannot be renewed stops this long before the lease expires, so the Api never sees two runs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "JobLogs:Worker:LeaseMargin must be between 100 ms and 10 minutes.")]
    public TimeSpan LeaseMargin { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long past its lease's expiry a run keeps re-sending its report to an Api it cannot reach: long enough to hear
    /// the answer when the Api is back (a 409 once the lease is gone), so the run's end is in its job log.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "JobLogs:Worker:ReportPatience must be between 0 and 1 hour.")]
    public TimeSpan ReportPatience { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The folder on the worker's own disk where each attempt's job log lines wait until the Api holds them (one file per
    /// attempt, readable by the worker only). A worker that restarts takes over the files a dead worker left here.
    /// </summary>
    [Required(ErrorMessage = "JobLogs:Worker:SpoolPath is not set: give a folder on the worker's own disk for the log spool.")]
    public string SpoolPath { get; set; } = Path.Combine(Path.GetTempPath(), "joblogs-worker", "spool");

    /// <summary>The spool folder's size cap: past it, lines are dropped and one entry in the job's log says how many.</summary>
    [Range(64 * 1024, long.MaxValue, ErrorMessage = "JobLogs:Worker:SpoolMaxBytes must be at least 65536.")]
    public long SpoolMaxBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Every job's overall deadline, whatever it runs.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "JobLogs:Worker:JobDeadline must be between 1 second and 1 day.")]
    public TimeSpan JobDeadline { get; set; } = TimeSpan.FromHours(1);
}
