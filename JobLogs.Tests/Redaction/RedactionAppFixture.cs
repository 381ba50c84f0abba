using System.Text.Json;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Redaction;

/// <summary>
/// The whole app configured with secrets the way users configure them — job secrets in the app host's configuration
/// (JobLogs:Secrets, passed on as secret parameters), ComfyUI:Token and HF_TOKEN in the services' environment — with
/// weight roots in a config/local.json, the test tools folder, long output tails, and metrics exported every second.
/// </summary>
public sealed class RedactionAppFixture : AppFixture
{
    public const string CorpusSecretName = "CORPUS_KEY";
    public const string ShortSecretName = "SHORT";
    public static readonly string HfToken = "hf_" + SecretCorpus.Fake(34, 900);

    public RedactionAppFixture()
    {
        File.WriteAllText(LocalConfigPath, JsonSerializer.Serialize(new { weightRoots = new { models = ModelsRoot } }));
        File.WriteAllText(CorpusPath, JsonSerializer.Serialize(new
        {
            items = Corpus.Select(i => new { id = i.Id, text = i.Text, secret = i.Secrets[0] }),
            clean = SecretCorpus.Clean,
        }));
    }

    /// <summary>Where the tests keep what the app reads (corpus, local config): outside the data root.</summary>
    public TempDirectory Inputs { get; } = new("redaction-inputs");

    public string ModelsRoot => Path.Combine(Inputs.Path, "weights", "models");
    public string LocalConfigPath => Inputs.File("local.json");
    public string CorpusPath => Inputs.File("corpus.json");
    public static string ToolsPath => Path.Combine(AppContext.BaseDirectory, "Redaction", "Tools");

    public IReadOnlyList<CorpusItem> Corpus => SecretCorpus.Items(ModelsRoot, DataRoot.Path);

    /// <summary>Every value that must never show, with a name to report it by.</summary>
    public IEnumerable<(string Name, string Value)> Secrets =>
    [
        .. Corpus.SelectMany(i => i.Secrets.Select(s => (i.Id, s))),
        ("configured", SecretCorpus.ConfiguredSecret), ("ComfyUI:Token", SecretCorpus.ComfyToken), ("HF_TOKEN", HfToken),
        ("models root", ModelsRoot), ("tools folder", ToolsPath),
    ];

    protected override IEnumerable<string> AppHostArgs =>
    [
        $"--JobLogs:ToolsPath={ToolsPath}",
        $"--JobLogs:LocalConfigPath={LocalConfigPath}",
        $"--JobLogs:Secrets:{CorpusSecretName}={SecretCorpus.ConfiguredSecret}",
        $"--JobLogs:Secrets:{ShortSecretName}={SecretCorpus.ShortSecret}",
    ];

    protected override IEnumerable<KeyValuePair<string, string>> ServiceSettings =>
    [
        new("ComfyUI__Token", SecretCorpus.ComfyToken),
        new("HF_TOKEN", HfToken),
        new("JobLogs__ToolOutputTailBytes", "65536"),
        new("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
    ];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Inputs.Dispose();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RedactionAppCollection : ICollectionFixture<RedactionAppFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "Whole app, with secrets";
}
