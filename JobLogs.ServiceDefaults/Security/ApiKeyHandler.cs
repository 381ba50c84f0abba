namespace JobLogs.ServiceDefaults.Security;

/// <summary>Adds this service's Api key to its calls to the Api (server side only: a browser never sees it).</summary>
public sealed class ApiKeyHandler(string? key) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (key is not null)
            request.Headers.TryAddWithoutValidation(ApiKeys.Header, key);
        return base.SendAsync(request, cancellationToken);
    }
}
