extern alias WebAssembly;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace JobLogs.Tests.Support;

/// <summary>
/// The real web on Kestrel alone, over a temp data root, with a small browser-error budget (6 reports a minute), for
/// what the web does by itself. Its Api address leads nowhere: requests that need the Api fail.
/// </summary>
public sealed class WebFactory : WebApplicationFactory<WebAssembly::Program>
{
    public const int UiErrorsPerMinute = 6;

    public WebFactory()
    {
        UseKestrel(0);
        StartServer();
    }

    public TempDirectory DataRoot { get; } = new("web");

    public DataLayout Layout => new(DataRoot.Path);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("JobLogs:DataRoot", DataRoot.Path);
        builder.UseSetting("JobLogs:Web:ApiUrl", $"http://127.0.0.1:{ComfyUIStandIn.FreePort()}");
        builder.UseSetting("JobLogs:Web:UiErrorsPerMinute", UiErrorsPerMinute.ToString());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        DataRoot.Dispose();
    }
}
