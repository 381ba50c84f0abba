using Polly.Timeout;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// How a call to ComfyUI failed, told apart: an exception or an answer as a <see cref="ComfyUICallException"/> of the
/// kind that says what to do next, and the failure as the status a call's span and entry show.
/// </summary>
internal static class CallFailures
{
    /// <summary>
    /// The exception as a call failure; null for our own cancellation (the run was stopped), which passes through.
    /// <paramref name="comfyUI"/> is ComfyUI's address, for the sentence when it is not reachable.
    /// </summary>
    public static ComfyUICallException? Of(Exception ex, string where, string comfyUI, CancellationTokenSource deadline, CancellationToken cancellationToken) => ex switch
    {
        ComfyUICallException call => call,
        _ when cancellationToken.IsCancellationRequested => null,
        OperationCanceledException when deadline.IsCancellationRequested =>
            new ComfyUICallException(CallFailure.Timeout, where, $"ComfyUI did not answer {where} within its timeout.", inner: ex),
        TimeoutRejectedException =>
            new ComfyUICallException(CallFailure.Timeout, where, $"ComfyUI did not answer {where} within its timeout.", inner: ex),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError } http =>
            new ComfyUICallException(CallFailure.Unreachable, where, $"ComfyUI is not reachable at {comfyUI}: {http.Message}", inner: ex),
        HttpRequestException or IOException =>
            new ComfyUICallException(CallFailure.ConnectionLost, where, $"The connection to ComfyUI broke during {where}: {ex.Message}", inner: ex),
        Polly.CircuitBreaker.BrokenCircuitException =>
            new ComfyUICallException(CallFailure.Unreachable, where, $"ComfyUI failed too often lately; the worker stopped calling it for a while ({where}).", inner: ex),
        _ => null,
    };

    /// <summary>The failure of an answer that is not a 2xx. <paramref name="tokenSet"/>: whether ComfyUI:Token is set.</summary>
    public static ComfyUICallException Unsuccessful(ComfyUIAnswer answer, string where, bool tokenSet)
    {
        var kind = KindOf(answer.Status);
        return new ComfyUICallException(kind, where, kind switch
        {
            CallFailure.Unauthorized => $"ComfyUI refused {where} with {answer.Status}{(tokenSet ? " (check ComfyUI:Token)" : " (no ComfyUI:Token is set)")}.",
            CallFailure.ServerError => $"ComfyUI failed with {answer.Status} on {where}: {answer.Excerpt()}",
            _ => $"ComfyUI answered {answer.Status} to {where}: {answer.Excerpt()}",
        }, answer.Status);
    }

    public static ComfyUICallException BadAnswer(ComfyUIAnswer answer, string where) =>
        new(CallFailure.BadAnswer, where,
            $"The answer to {where} is not ComfyUI's JSON ({answer.MediaType ?? "no content type"}, {answer.Body.Length} bytes: {answer.Excerpt()}).", answer.Status);

    public static CallFailure KindOf(int status) => status switch
    {
        401 or 403 => CallFailure.Unauthorized,
        >= 500 => CallFailure.ServerError,
        _ => CallFailure.Refused,
    };

    /// <summary>The failure as the status of the call's span and entry; <paramref name="status"/> is the HTTP status, if any came.</summary>
    public static string Describe(ComfyUICallException failure, string? status) => failure.Failure switch
    {
        CallFailure.Unreachable => "unreachable",
        CallFailure.ConnectionLost => "connection lost",
        CallFailure.Timeout => "timed out",
        _ => status ?? failure.Status?.ToString() ?? "failed",
    };
}
