using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JobLogs.Tests.Support;

/// <summary>JobLogs' real logging pipeline (ServiceDefaults) in a host of its own, writing under a temp data root.</summary>
public sealed class PipelineHost : IDisposable
{
    private readonly IHost _host;

    public PipelineHost(TempDirectory dataRoot, ServiceIdentity? identity = null, params string[] settings)
    {
        DataRoot = dataRoot.Path;
        var builder = Host.CreateApplicationBuilder([$"--JobLogs:DataRoot={DataRoot}", .. settings.Select(s => "--" + s)]);
        builder.AddJobLogsLogging(identity ?? ServiceIdentity.Worker);
        _host = builder.Build();
        Layout = new DataLayout(DataRoot);
    }

    public string DataRoot { get; }
    public DataLayout Layout { get; }
    public JobLogTally Tally => _host.Services.GetRequiredService<JobLogTally>();

    public ILogger Logger(string category = "JobLogs.Tests") => _host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);

    public string JobLog(string projectId, string jobId) => Layout.JobLog(projectId, jobId);
    public string RuntimeLog(string service = "worker") => Layout.RuntimeLog(service);

    public void Dispose() => _host.Dispose();
}
