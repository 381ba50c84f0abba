using System.Text.Json;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Api;

/// <summary>A job input is stored as given, for the worker; what the Api shows of it is redacted.</summary>
public sealed class InputRedactionTests(InputRedactionTests.WeightRootsApi api) : IClassFixture<InputRedactionTests.WeightRootsApi>
{
    public sealed class WeightRootsApi : ApiFactory
    {
        private static readonly string LocalConfig = WriteLocalConfig();

        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["JobLogs:LocalConfigPath"] = LocalConfig,
        };

        private static string WriteLocalConfig()
        {
            var path = Path.Combine(Path.GetTempPath(), "joblogs-tests", $"local-{Guid.NewGuid():N}.json");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, """{ "weightRoots": { "models": "/srv/comfyui/models" } }""");
            return path;
        }
    }

    [Fact]
    public async Task An_absolute_weight_path_in_an_input_is_shown_as_its_alias_but_kept_for_the_worker()
    {
        var http = api.CreateClient();
        var job = await http.CreateTool(ApiFactory.NewProjectId(), "hello", new { checkpoint = "/srv/comfyui/models/checkpoints/sd15.safetensors" });
        var shown = await http.GetStringAsync($"/api/projects/{job.ProjectId}/jobs/{job.Id}");
        Assert.DoesNotContain("/srv/comfyui/models", shown);
        Assert.Equal("{models}/checkpoints/sd15.safetensors",
            JsonDocument.Parse(shown).RootElement.GetProperty("input").GetProperty("args").GetProperty("checkpoint").GetString());
        Assert.Contains("/srv/comfyui/models/checkpoints/sd15.safetensors", await File.ReadAllTextAsync(api.Layout.JobRecord(job.ProjectId, job.Id)));
    }
}
