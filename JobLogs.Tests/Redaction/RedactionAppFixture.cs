using System.Text.Json;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Redaction;

/// <summary>
/// The whole app configured with secrets the way users configure them — job secrets in the app host's configuration
/// (JobLogs:Secrets, passed on as secret parameters), HF_TOKEN in the services' environment, and a ComfyUI behind a
/// token (a stand-in that requires it, configured as an external ComfyUI with ComfyUI:Url and ComfyUI:Token) whose
/// folder is a weight root — with weight roots in a config/local.json, the test tools folder, long output tails, and
/// metrics exported every second.
/// </summary>
public sealed class RedactionAppFixture : AppFixture
{
    public const string CorpusSecretName = "CORPUS_KEY";
    public const string ShortSecretName = "SHORT";
    public const string GitHubTokenName = "GH_TOKEN";
    public static readonly string HfToken = "hf_" + SecretCorpus.Fake(34, 900);
    public static readonly string GitHubToken = "ghp_" + SecretCorpus.Fake(36, 901);

    /// <summary>A file in ComfyUI's input folder that is no image: ComfyUI names it by its absolute path when it fails to load it.</summary>
    public const string NotAnImage = "not-a-png.png";

    public RedactionAppFixture()
    {
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

    /// <summary>The ComfyUI the app uses: the stand-in, behind <see cref="SecretCorpus.ComfyToken"/>; its log names the trace of each request.</summary>
    public StandIn ComfyUI { get; private set; } = null!;

    /// <summary>ComfyUI's folder (input, output), a weight root with the alias <c>comfyui</c> like a whole ComfyUI installation.</summary>
    public string ComfyUIRoot => Path.GetDirectoryName(ComfyUI.InputDir)!;

    /// <summary>Every value that must never show, with a name to report it by.</summary>
    public IEnumerable<(string Name, string Value)> Secrets =>
    [
        .. Corpus.SelectMany(i => i.Secrets.Select(s => (i.Id, s))),
        ("configured", SecretCorpus.ConfiguredSecret), ("ComfyUI:Token", SecretCorpus.ComfyToken), ("HF_TOKEN", HfToken),
        (GitHubTokenName, GitHubToken), ("models root", ModelsRoot), ("ComfyUI root", ComfyUIRoot), ("tools folder", ToolsPath),
    ];

    protected override IEnumerable<string> AppHostArgs =>
    [
        $"--JobLogs:ToolsPath={ToolsPath}",
        $"--JobLogs:LocalConfigPath={LocalConfigPath}",
        $"--JobLogs:Secrets:{CorpusSecretName}={SecretCorpus.ConfiguredSecret}",
        $"--JobLogs:Secrets:{ShortSecretName}={SecretCorpus.ShortSecret}",
        $"--JobLogs:Secrets:{GitHubTokenName}={GitHubToken}",
        $"--ComfyUI:Url={ComfyUI.Url}",
        $"--ComfyUI:Token={SecretCorpus.ComfyToken}",
    ];

    /// <summary>
    /// The services' temp folder (TMPDIR), where the worker keeps its spool, outputs (JOBLOGS_OUTPUT_DIR) and local
    /// runtime log and the web its local runtime log, by default: searched for secrets like the data root.
    /// </summary>
    public TempDirectory ServiceTemp { get; } = new("service-tmp");

    protected override IEnumerable<KeyValuePair<string, string>> ServiceSettings =>
    [
        new("TMPDIR", ServiceTemp.Path),
        new("HF_TOKEN", HfToken),
        new("JobLogs__ToolOutputTailBytes", "65536"),
        new("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
    ];

    public override async Task InitializeAsync()
    {
        ComfyUI = await StandIn.StartAsync(SecretCorpus.ComfyToken, "--step-delay-ms", "5");
        File.WriteAllText(Path.Combine(ComfyUI.InputDir, NotAnImage), "not an image");
        File.WriteAllText(LocalConfigPath, JsonSerializer.Serialize(new { weightRoots = new { models = ModelsRoot, comfyui = ComfyUIRoot } }));
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (ComfyUI is not null)
            await ComfyUI.DisposeAsync();
        Inputs.Dispose();
        ServiceTemp.Dispose();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RedactionAppCollection : ICollectionFixture<RedactionAppFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "Whole app, with secrets";
}
