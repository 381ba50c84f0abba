extern alias ApiAssembly;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace JobLogs.Benchmarks;

/// <summary>The real Api on Kestrel (loopback), over a given data root.</summary>
internal sealed class ApiOnKestrel : WebApplicationFactory<ApiAssembly::Program>
{
    private readonly string _dataRoot;

    public ApiOnKestrel(string dataRoot)
    {
        _dataRoot = dataRoot;
        UseKestrel(0);
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("JobLogs:DataRoot", _dataRoot);
    }
}
