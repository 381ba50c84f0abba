using System.ComponentModel.DataAnnotations;

namespace JobLogs.Web;

/// <summary>Where the web finds the Api (section <c>JobLogs:Web</c>).</summary>
public sealed class WebOptions
{
    public const string Section = "JobLogs:Web";

    /// <summary>The Api's address; <c>http://api</c> is resolved by service discovery.</summary>
    [Required(ErrorMessage = "JobLogs:Web:ApiUrl is not set: give the Api's address, e.g. http://api.")]
    [Url(ErrorMessage = "JobLogs:Web:ApiUrl must be an http(s) URL.")]
    public string ApiUrl { get; set; } = "http://api";

    /// <summary>The Aspire dashboard's address; when set, jobs and log entries link to their traces.</summary>
    public string? DashboardUrl { get; set; }

    /// <summary>For deployed use: when set, every page and forwarded route needs a sign-in with this shared password.</summary>
    public string? Password { get; set; }
}
