using System.ComponentModel.DataAnnotations;

namespace JobLogs.Web;

/// <summary>Where the web finds the Api and the dashboard, and how it takes browser error reports (section <c>JobLogs:Web</c>).</summary>
public sealed class WebOptions
{
    public const string Section = "JobLogs:Web";

    /// <summary>The Api's address; <c>http://api</c> is resolved by service discovery.</summary>
    [Required(ErrorMessage = "JobLogs:Web:ApiUrl is not set: give the Api's address, e.g. http://api.")]
    [Url(ErrorMessage = "JobLogs:Web:ApiUrl must be an http(s) URL.")]
    public string ApiUrl { get; set; } = "http://api";

    /// <summary>The Aspire dashboard's address; when set, jobs and log entries link to their traces.</summary>
    [Url(ErrorMessage = "JobLogs:DashboardUrl must be an http(s) URL.")]
    public string? DashboardUrl { get; set; }

    /// <summary>How many browser error reports one client may send a minute; the rest are refused (429).</summary>
    [Range(1, 10_000, ErrorMessage = "JobLogs:Web:UiErrorsPerMinute must be from 1 to 10000.")]
    public int UiErrorsPerMinute { get; set; } = 30;

    /// <summary>For deployed use: when set, every page and forwarded route needs a sign-in with this shared password.</summary>
    public string? Password { get; set; }
}
