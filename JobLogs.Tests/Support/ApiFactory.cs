using JobLogs.Workers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace JobLogs.Tests.Support;

/// <summary>
/// The real Api on Kestrel (a real socket, so raw requests reach it unchanged), over a temp data root, with leases
/// and log streams configured to (parts of) seconds. One per test class; tests isolate themselves by a unique projectId.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public ApiFactory()
    {
        UseKestrel(0);
        StartServer();
    }

    public TempDirectory DataRoot { get; } = new("api");

    public DataLayout Layout => new(DataRoot.Path);

    /// <summary>The address Kestrel listens on.</summary>
    public Uri Address => ClientOptions.BaseAddress;

    /// <summary>Settings a derived factory adds (initialised before the server starts: field initialisers run first).</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("JobLogs:DataRoot", DataRoot.Path);
        builder.UseSetting("JobLogs:Leases:Duration", "00:00:02");
        builder.UseSetting("JobLogs:Leases:Grace", "00:00:00.500");
        builder.UseSetting("JobLogs:Leases:SweepInterval", "00:00:00.100");
        builder.UseSetting("JobLogs:LogStreams:PollInterval", "00:00:00.050");
        builder.UseSetting("JobLogs:LogStreams:HeartbeatInterval", "00:00:00.500");
        builder.UseSetting("JobLogs:LogStreams:SettleTime", "00:00:00.300");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
    }

    // Factories of the same Program building their hosts at once can catch each other's host (each listens for "host
    // built" across the process) and then fail on a server that is already started: test classes run in parallel, so
    // hosts are built one at a time.
    private static readonly Lock BuildGate = new();

    protected override IHost CreateHost(IHostBuilder builder)
    {
        lock (BuildGate)
            return base.CreateHost(builder);
    }

    // Its clients play the worker too: every worker route wants the protocol version, which other routes ignore.
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add(WorkerProtocol.VersionHeader, WorkerProtocol.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        DataRoot.Dispose();
    }

    public static string NewProjectId() => "p-" + Guid.NewGuid().ToString("N")[..12];
}
