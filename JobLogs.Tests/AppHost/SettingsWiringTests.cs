extern alias AppHostAssembly;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace JobLogs.Tests.AppHost;

/// <summary>A setting given to the app host reaches the services (README, Configuration); a secret never goes that way.</summary>
public sealed class SettingsWiringTests
{
    [Fact]
    public async Task App_host_settings_reach_every_service_but_access_secrets_do_not()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHostAssembly::Projects.JobLogs_AppHost>(
        [
            "--JobLogs:DataRoot=/tmp/joblogs-wiring", "--JobLogs:Worker:Concurrency=4", "--JobLogs:Retention:Interval=00:05:00",
            "--ComfyUI:StallTimeout=00:01:00", "--JobLogs:ApiKeys:Web=wiring-web-key-0123456789", "--JobLogs:Web:Password=wiring-password",
        ]);
        var services = builder.Resources.OfType<ProjectResource>().ToList();
        await using var app = await builder.BuildAsync();
        var context = new DistributedApplicationExecutionContext(
            new DistributedApplicationExecutionContextOptions(DistributedApplicationOperation.Publish) { Services = app.Services });
        foreach (var service in services)
        {
            var environment = (await ExecutionConfigurationBuilder.Create(service).WithEnvironmentVariablesConfig()
                .BuildAsync(context, null, CancellationToken.None)).EnvironmentVariables.ToDictionary(e => e.Key, e => e.Value);
            Assert.Equal("4", environment["JobLogs__Worker__Concurrency"]);
            Assert.Equal("00:05:00", environment["JobLogs__Retention__Interval"]);
            Assert.Equal("00:01:00", environment["ComfyUI__StallTimeout"]);
            // The data root is the Api's alone: the worker and the web ship to it.
            Assert.Equal(service.Name == "api" ? "/tmp/joblogs-wiring" : null, environment.GetValueOrDefault("JobLogs__DataRoot"));
            Assert.DoesNotContain(environment, e => e.Key.StartsWith("JobLogs__ApiKeys", StringComparison.Ordinal) || e.Key == "JobLogs__Web__Password");
            Assert.DoesNotContain(environment, e => e.Value.Contains("wiring-web-key") || e.Value.Contains("wiring-password"));
        }
        Assert.Equal(["api", "web", "worker"], services.Select(s => s.Name).Order());
    }
}
