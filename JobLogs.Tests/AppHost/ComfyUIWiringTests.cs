extern alias AppHostAssembly;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace JobLogs.Tests.AppHost;

/// <summary>What the app host wires for ComfyUI, read from its model without starting anything.</summary>
public sealed class ComfyUIWiringTests
{
    private static async Task<(DistributedApplication App, IReadOnlyList<IResource> Resources, Dictionary<string, string> Worker)> Model(params string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHostAssembly::Projects.JobLogs_AppHost>(["--JobLogs:DataRoot=/tmp/joblogs-wiring", .. args]);
        var resources = builder.Resources.ToList();
        var worker = resources.OfType<ProjectResource>().Single(r => r.Name == "worker");
        var app = await builder.BuildAsync();
        // In publish mode references stay expressions: a secret shows as its parameter, never as its value.
        var configuration = await ExecutionConfigurationBuilder.Create(worker).WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(new DistributedApplicationExecutionContextOptions(DistributedApplicationOperation.Publish) { Services = app.Services }),
                null, CancellationToken.None);
        return (app, resources, configuration.EnvironmentVariables.ToDictionary(e => e.Key, e => e.Value));
    }

    [Fact]
    public async Task A_configured_comfyui_is_an_external_service_and_its_token_a_secret_parameter()
    {
        var (app, resources, worker) = await Model("--ComfyUI:Url=http://gpu-box:8188", "--ComfyUI:Token=wiring-test-token");
        await using (app)
        {
            Assert.IsType<ExternalServiceResource>(resources.Single(r => r.Name == "comfyui"));
            Assert.True(resources.OfType<ParameterResource>().Single(p => p.Name == "comfyui-token").Secret);
            Assert.Equal("http://gpu-box:8188/", worker["ComfyUI__Url"]);
            Assert.Equal("{comfyui-token.value}", worker["ComfyUI__Token"]); // a reference to the secret, not its value
        }
    }

    [Fact]
    public async Task Without_a_comfyui_the_stand_in_runs_and_the_worker_gets_its_endpoint()
    {
        var (app, resources, worker) = await Model();
        await using (app)
        {
            var standIn = Assert.IsType<ExecutableResource>(resources.Single(r => r.Name == "comfyui"));
            Assert.EndsWith("comfyui-standin", standIn.WorkingDirectory);
            Assert.Equal("{comfyui.bindings.http.url}", worker["ComfyUI__Url"]);
            Assert.DoesNotContain("ComfyUI__Token", worker.Keys);
        }
    }
}
