namespace JobLogs.Tests.Support;

/// <summary>
/// The Api and the web on real servers, and Debian's Chromium: for browser tests that set up what they show through the
/// Api itself (its routes or its store) and need no worker.
/// </summary>
public abstract class WebOverApi<TApi> : IAsyncLifetime where TApi : ApiFactory, new()
{
    protected TApi Api { get; } = new();
    protected WebFactory Web { get; private set; } = null!;
    protected BrowserFixture Chromium { get; } = new();

    public async Task InitializeAsync()
    {
        Web = WebFactory.For(Api.Address);
        await Chromium.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        await Web.DisposeAsync();
        await Api.DisposeAsync();
    }
}
