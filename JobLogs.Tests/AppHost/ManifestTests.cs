using System.Diagnostics;
using System.Text.Json;

namespace JobLogs.Tests.AppHost;

/// <summary>
/// The app host's deployment manifest, written as the README says (<c>--publisher manifest</c>): it names every resource,
/// gives the services the images' paths (not this machine's), and takes ComfyUI's address, the API keys, the web's
/// password and ComfyUI's token as parameters given at deployment, the secrets as secret parameters.
/// </summary>
public sealed class ManifestTests : IDisposable
{
    private readonly TempDirectory _output = new("manifest");

    public void Dispose() => _output.Dispose();

    [Fact]
    public async Task The_manifest_names_every_resource_with_container_paths_and_secrets_as_parameters()
    {
        var manifest = await Publish();
        var resources = manifest.GetProperty("resources");

        Assert.Equal(["api", "api-key-admin", "api-key-web", "api-key-worker", "comfyui-token", "comfyui-url", "web", "web-password", "worker"],
            // Job secrets (JobLogs:Secrets:*, from this machine's user secrets) come and go with the configuration.
            resources.EnumerateObject().Select(r => r.Name).Where(n => !n.StartsWith("secret-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        foreach (var service in new[] { "api", "worker", "web" })
            Assert.Equal("project.v0", resources.GetProperty(service).Str("type"));
        Assert.True(resources.GetProperty("web").GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());

        var env = (string service) => resources.GetProperty(service).GetProperty("env");
        Assert.Equal("/data", env("api").Str("JobLogs__DataRoot"));
        Assert.All(new[] { "worker", "web" }, s => Assert.False(env(s).TryGetProperty("JobLogs__DataRoot", out _), $"The {s} has a data root."));
        Assert.Equal("/app/tools", env("worker").Str("JobLogs__ToolsPath"));
        Assert.Equal("{comfyui-url.value}", env("worker").Str("ComfyUI__Url"));
        Assert.Equal("{comfyui-url.value}", env("api").Str("ComfyUI__Url"));

        // Every secret a service gets is a reference to a secret parameter, whose value the manifest does not hold.
        var secrets = new (string Service, string Variable, string Parameter)[]
        {
            ("api", "JobLogs__ApiKeys__Worker", "api-key-worker"), ("api", "JobLogs__ApiKeys__Web", "api-key-web"),
            ("api", "JobLogs__ApiKeys__Admin", "api-key-admin"), ("worker", "JobLogs__ApiKeys__Worker", "api-key-worker"),
            ("web", "JobLogs__ApiKeys__Web", "api-key-web"), ("web", "JobLogs__Web__Password", "web-password"),
            ("worker", "ComfyUI__Token", "comfyui-token"), ("api", "ComfyUI__Token", "comfyui-token"),
        };
        foreach (var (service, variable, parameter) in secrets)
        {
            Assert.Equal($"{{{parameter}.value}}", env(service).Str(variable));
            var declared = resources.GetProperty(parameter);
            Assert.Equal("parameter.v0", declared.Str("type"));
            Assert.True(declared.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean(), $"{parameter} is not secret.");
            Assert.False(declared.GetProperty("inputs").GetProperty("value").TryGetProperty("default", out _), $"{parameter} has a value in the manifest.");
        }

        // No path of this machine: the only paths are the projects', relative to the manifest as the format has them.
        var machinePaths = new[] { Repository.Root, Path.GetTempPath().TrimEnd('/'), Environment.GetEnvironmentVariable("HOME") ?? Repository.Root };
        foreach (var (name, value) in Strings(manifest))
        {
            if (name == "path")
            {
                Assert.False(Path.IsPathRooted(value), value);
                Assert.True(File.Exists(Path.GetFullPath(Path.Combine(_output.Path, value))), $"{value} is not a project of the repository.");
                continue;
            }
            Assert.All(machinePaths, p => Assert.DoesNotContain(p, value));
        }
    }

    /// <summary>Runs the README's command against the built app host and reads the manifest it writes.</summary>
    private async Task<JsonElement> Publish()
    {
        var file = _output.File("manifest.json");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
        foreach (var argument in (string[])["run", "--project", "JobLogs.AppHost", "--no-build", "-c", Repository.Configuration, "--",
                     "--publisher", "manifest", "--output-path", file])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"The manifest command failed ({process.ExitCode}): {string.Concat(await output)}");
        return JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement.Clone();
    }

    /// <summary>Every string in the manifest with the name of the property that holds it.</summary>
    private static IEnumerable<(string Name, string Value)> Strings(JsonElement element, string name = "") => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value, p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(e => Strings(e, name)),
        JsonValueKind.String => [(name, element.GetString()!)],
        _ => [],
    };
}
