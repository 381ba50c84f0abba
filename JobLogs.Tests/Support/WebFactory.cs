extern alias WebAssembly;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace JobLogs.Tests.Support;

/// <summary>
/// The real web on Kestrel, over a temp data root, with a small browser-error budget (6 reports a minute). Made
/// without an Api, its Api address leads nowhere (for what the web does by itself); made with one (an
/// <see cref="ApiFactory"/>), its pages show that Api's jobs.
/// </summary>
public sealed class WebFactory : WebApplicationFactory<WebAssembly::Program>
{
    public const int UiErrorsPerMinute = 6;
    private readonly Uri _api;

    public WebFactory() : this(new Uri($"http://127.0.0.1:{FreePort.Next()}"))
    {
    }

    /// <summary>A web in front of <paramref name="api"/>.</summary>
    public static WebFactory For(Uri api) => new(api);

    private WebFactory(Uri api)
    {
        _api = api;
        UseKestrel(0);
        StartServer();
    }

    /// <summary>The address Kestrel listens on.</summary>
    public Uri Address => ClientOptions.BaseAddress;

    public TempDirectory DataRoot { get; } = new("web");

    public DataLayout Layout => new(DataRoot.Path);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("JobLogs:DataRoot", DataRoot.Path);
        builder.UseSetting("JobLogs:Web:ApiUrl", _api.ToString());
        builder.UseSetting("JobLogs:Web:UiErrorsPerMinute", UiErrorsPerMinute.ToString());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        DataRoot.Dispose();
    }
}
