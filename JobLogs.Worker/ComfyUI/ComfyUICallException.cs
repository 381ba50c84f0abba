namespace JobLogs.Worker.ComfyUI;

/// <summary>How a call to ComfyUI failed; each kind is a different failure with a different next step.</summary>
internal enum CallFailure
{
    /// <summary>Nothing listens (connection refused, no such host): the request never reached ComfyUI.</summary>
    Unreachable,
    /// <summary>The connection broke after the request was sent: ComfyUI may have acted on it.</summary>
    ConnectionLost,
    Timeout,
    Unauthorized,
    ServerError,
    /// <summary>An answer that is not what ComfyUI's API sends (HTML, bytes, cut JSON).</summary>
    BadAnswer,
    /// <summary>Any other 4xx, e.g. a download of a file ComfyUI does not have.</summary>
    Refused,
}

/// <summary>A failed call to ComfyUI: what kind of failure, at which endpoint (without credentials), with which status.</summary>
internal sealed class ComfyUICallException(CallFailure failure, string where, string message, int? status = null, Exception? inner = null)
    : Exception(message, inner)
{
    public CallFailure Failure { get; } = failure;

    /// <summary>Method and endpoint, e.g. "POST http://127.0.0.1:8188/prompt".</summary>
    public string Where { get; } = where;

    /// <summary>The endpoint alone, for <c>data.call.target</c>.</summary>
    public string Target => Where[(Where.IndexOf(' ') + 1)..];

    public int? Status { get; } = status;
}
