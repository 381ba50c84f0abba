namespace JobLogs.Api.Health;

/// <summary>Where ComfyUI is (section <c>ComfyUI</c>: <c>Url</c>, and <c>Token</c> when a proxy in front of it wants one).</summary>
internal sealed class ComfyUIOptions
{
    public const string Section = "ComfyUI";

    public string? Url { get; set; }

    /// <summary>A secret: sent as a bearer token, never shown or logged.</summary>
    public string? Token { get; set; }
}
