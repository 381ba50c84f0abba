using System.ComponentModel.DataAnnotations;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// Where ComfyUI is and how long to wait for it (section <c>ComfyUI</c>). The app host sets <c>ComfyUI:Url</c> to the
/// local stand-in when no ComfyUI is configured. The token, when set, is sent as <c>Authorization: Bearer</c> on every
/// request and on the WebSocket (ComfyUI has no authentication of its own; a proxy in front of it checks it).
/// </summary>
internal sealed class ComfyUIOptions : IValidatableObject
{
    public const string Section = "ComfyUI";

    [Required(ErrorMessage = "ComfyUI:Url is not set: give ComfyUI's address, e.g. http://127.0.0.1:8188 (the app host starts a local stand-in when none is configured).")]
    public string Url { get; set; } = "";

    /// <summary>
    /// A secret: never logged, never in a target or a card. Classified, so it is masked wherever the options are logged;
    /// the redactor also knows its value (ServiceDefaults reads every key named like a secret from the configuration).
    /// </summary>
    [SecretData]
    public string? Token { get; set; }

    /// <summary>Each HTTP call (submit, history, queue, interrupt); a download gets <see cref="DownloadTimeout"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "ComfyUI:RequestTimeout must be between 1 second and 10 minutes.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "ComfyUI:DownloadTimeout must be between 1 second and 1 hour.")]
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A WebSocket silent this long is checked over HTTP (is the prompt still queued or running?).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "ComfyUI:StallTimeout must be between 100 ms and 1 hour.")]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often /history is polled when there is no WebSocket.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00", ErrorMessage = "ComfyUI:PollInterval must be between 50 ms and 5 minutes.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>While a prompt runs, how long ComfyUI may be unreachable (e.g. restarting) before the job fails.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "ComfyUI:ReconnectTimeout must be between 0 and 1 hour.")]
    public TimeSpan ReconnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Progress is logged at each quarter of a node's steps, and at least this often in between.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "ComfyUI:ProgressLogInterval must be between 1 second and 1 hour.")]
    public TimeSpan ProgressLogInterval { get; set; } = TimeSpan.FromSeconds(30);

    public Uri BaseUri => new(Url.EndsWith('/') ? Url : Url + "/");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Url.Length == 0)
            yield break;
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return new ValidationResult($"ComfyUI:Url must be an http(s) URL; '{Url}' is not.", [nameof(Url)]);
        else if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            // Credentials in a URL end up in logs and cards; the token has its own setting.
            yield return new ValidationResult("ComfyUI:Url must not carry credentials, a query or a fragment: put the token in ComfyUI:Token.", [nameof(Url)]);
    }
}
