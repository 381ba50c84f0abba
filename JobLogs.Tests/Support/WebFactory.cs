extern alias WebAssembly;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace JobLogs.Tests.Support;

/// <summary>
/// The real web on Kestrel, with no data root (its local runtime log in a temp folder) and a small browser-error budget (6 reports a minute). Made
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

    /// <summary>The web's own disk: its local runtime log.</summary>
    public TempDirectory Disk { get; } = new("web");

    /// <summary>Every line of the web's runtime log (the Api gets the notable ones).</summary>
    public string RuntimeLog => Path.Combine(Disk.Path, "web.jsonl");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("JobLogs:RuntimeLogPath", RuntimeLog);
        builder.UseSetting("JobLogs:Web:ApiUrl", _api.ToString());
        builder.UseSetting("JobLogs:Web:UiErrorsPerMinute", UiErrorsPerMinute.ToString());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Disk.Dispose();
    }
}
