using System.Text;
using System.Text.Json;
using JobLogs.ServiceDefaults.Redaction;

namespace JobLogs.Tests.Redaction;

/// <summary>Every rule of the redaction engine, on the engine directly: what it takes out, what it leaves, what it counts.</summary>
public sealed class RedactorTests
{
    private const string ModelsRoot = "/srv/weights/models";
    private const string DataRoot = "/var/lib/joblogs/data";
    private const string ToolsRoot = "/opt/joblogs/tools";

    private static readonly Redactor Engine = new(new RedactionSettings(
        [SecretCorpus.ConfiguredSecret, SecretCorpus.ComfyToken, SecretCorpus.ShortSecret],
        [new PathAlias("models", ModelsRoot), new PathAlias("loras", ModelsRoot + "/loras"), new PathAlias("tools", ToolsRoot, RuleIds.ToolsPath)],
        DataRoot));

    public static TheoryData<CorpusItem> Corpus => [.. SecretCorpus.Items(ModelsRoot, DataRoot)];

    public static TheoryData<string> CleanTexts => [.. SecretCorpus.Clean];

    [Fact]
    public void The_corpus_has_at_least_40_forms_and_covers_every_rule()
    {
        var items = SecretCorpus.Items(ModelsRoot, DataRoot);
        Assert.True(items.Count >= 40, $"{items.Count} forms");
        var covered = items.Select(i => i.Rule).ToHashSet();
        Assert.Empty(Engine.AuditIds.Where(id => id != RuleIds.ToolsPath).Except(covered));
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Each_secret_form_is_taken_out_and_counted_under_its_rule(CorpusItem item)
    {
        var counts = new RedactionCounts();
        var redacted = Engine.Redact(item.Text, counts);
        foreach (var secret in item.Secrets)
            Assert.DoesNotContain(secret, redacted);
        Assert.True(counts.Snapshot().ContainsKey(item.Rule), $"counted {string.Join(", ", counts.Snapshot())}, not {item.Rule}: {redacted}");
        if (item.Expect is not null)
            Assert.Contains(item.Expect, redacted);
        Assert.Equal(redacted, Engine.Redact(redacted)); // redacting again changes nothing
    }

    [Theory]
    [MemberData(nameof(CleanTexts))]
    public void Ordinary_text_ids_and_near_misses_stay_as_they_are(string text)
    {
        var counts = new RedactionCounts();
        Assert.Same(text, Engine.Redact(text, counts));
        Assert.True(counts.IsEmpty);
        Assert.Null(Engine.FindSecret(text));
    }

    [Fact]
    public void A_short_configured_value_does_not_blank_out_the_word()
    {
        Assert.Equal("a test of the test tool", Engine.Redact("a test of the test tool"));
        var strict = new Redactor(new RedactionSettings(["test"], [], null, MinSecretLength: 4));
        Assert.Equal("a [REDACTED] run", strict.Redact("a test run"));
    }

    [Theory]
    [InlineData("password", true)]
    [InlineData("Password", true)]
    [InlineData("db.password", true)]
    [InlineData("PASSWD", true)]
    [InlineData("api_key", true)]
    [InlineData("Api-Key", true)]
    [InlineData("APIKEY", true)]
    [InlineData("x-api-key", true)]
    [InlineData("HF_TOKEN", true)]
    [InlineData("access_token", true)]
    [InlineData("Authorization", true)]
    [InlineData("proxy-authorization", true)]
    [InlineData("Set-Cookie", true)]
    [InlineData("client_secret", true)]
    [InlineData("private_key", true)]
    [InlineData("AWS_SECRET_ACCESS_KEY", true)]
    [InlineData("credentials", true)]
    [InlineData("basic_auth", true)]
    [InlineData("X-Amz-Signature", true)]
    // By words: a secret word, and no descriptor after it (SecretKeys says why).
    [InlineData("api_key_openai", true)]
    [InlineData("api_key_comfy_org", true)]
    [InlineData("aws_secret_access_key", true)]
    [InlineData("hfToken", true)]
    [InlineData("APIKey", true)]
    [InlineData("clientSecret", true)]
    [InlineData("db_pwd", true)]
    [InlineData("authToken", true)]
    [InlineData("JobLogs:Secrets:HF_TOKEN", true)]
    [InlineData("token_count", false)]
    [InlineData("keyboard", false)]
    [InlineData("primary_key", false)]
    [InlineData("key_frame", false)]
    [InlineData("secret_key_name", false)]
    [InlineData("SSH_AUTH_SOCK", false)]
    [InlineData("PWD", false)]
    [InlineData("OLDPWD", false)]
    [InlineData("auth_url", false)]
    [InlineData("JobLogs:Redaction:MinSecretLength", false)]
    [InlineData("max_tokens", false)]
    [InlineData("tokenizer", false)]
    [InlineData("author", false)]
    [InlineData("secret_name", false)]
    [InlineData("key", false)]
    [InlineData("cacheKey", false)]
    [InlineData("passed", false)]
    [InlineData("$secret", false)]
    [InlineData("", false)]
    public void Key_names_are_secret_by_their_words_whatever_case_and_separators(string key, bool secret) =>
        Assert.Equal(secret, SecretKeys.IsSecret(key));

    [Fact]
    public void A_secret_named_value_is_masked_whole_unless_it_is_a_placeholder()
    {
        Assert.Equal(Redactor.Mask, Engine.RedactValue("ApiKey", "plain words are still a key"));
        Assert.Equal("none", Engine.RedactValue("auth", "none"));
        Assert.Equal("", Engine.RedactValue("password", ""));
        Assert.Equal("checkpoints/x.safetensors", Engine.RedactValue("path", "checkpoints/x.safetensors"));
    }

    [Fact]
    public void Every_encoded_form_of_a_configured_secret_is_taken_out()
    {
        var secret = SecretCorpus.ConfiguredSecret;
        var bytes = Encoding.UTF8.GetBytes(secret);
        string[] forms =
        [
            Uri.EscapeDataString(secret),
            System.Text.RegularExpressions.Regex.Replace(Uri.EscapeDataString(secret), "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant()),
            System.Net.WebUtility.UrlEncode(secret),
            JsonSerializer.Serialize(secret),
            JsonSerializer.Serialize(secret, JobLogs.Json.Options),
            "\"Zq9!x/+=\\u00fc\\\"sEcReT\\\\4471-cfg\"", // Python's json.dumps
            Convert.ToBase64String(bytes),
            Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_').TrimEnd('='),
        ];
        foreach (var form in forms)
        {
            var redacted = Engine.Redact($"value {form} end");
            Assert.StartsWith("value ", redacted);
            Assert.EndsWith(" end", redacted);
            Assert.Contains(Redactor.Mask, redacted);
            Assert.False(Leaks(form, redacted), $"{form} -> {redacted}");
        }
        // Inside a longer base64 text the secret starts at any byte alignment.
        for (var prefix = 0; prefix < 6; prefix++)
        {
            var head = Encoding.UTF8.GetBytes(new string('p', prefix) + "user:");
            var blob = Convert.ToBase64String([.. head, .. bytes, .. "!rest"u8]);
            var secretPart = blob[((head.Length * 8 + 5) / 6)..((head.Length + bytes.Length) * 8 / 6)];
            var redacted = Engine.Redact(blob);
            Assert.Contains(Redactor.Mask, redacted);
            Assert.False(Leaks(secretPart, redacted), $"prefix {prefix}: {redacted}");
        }
    }

    // True when any 6 characters in a row of what had to go are still there.
    private static bool Leaks(string secret, string text) =>
        Enumerable.Range(0, Math.Max(0, secret.Length - 5)).Any(i => text.Contains(secret.Substring(i, 6), StringComparison.Ordinal));

    [Fact]
    public void Weight_paths_become_aliases_and_data_root_paths_become_relative()
    {
        Assert.Equal("{models}/checkpoints/a.safetensors and {loras}/b.safetensors",
            Engine.Redact($"{ModelsRoot}/checkpoints/a.safetensors and {ModelsRoot}/loras/b.safetensors"));
        Assert.Equal("File \"{tools}/fail.py\", line 11", Engine.Redact($"File \"{ToolsRoot}/fail.py\", line 11"));
        Assert.Equal("projects/p1/jobs/j1.json", Engine.Redact($"{DataRoot}/projects/p1/jobs/j1.json"));
        Assert.Equal("root is {data}, models at {models}", Engine.Redact($"root is {DataRoot}, models at {ModelsRoot}"));
        Assert.Equal("file://{models}/x.ckpt", Engine.Redact($"file://{ModelsRoot}/x.ckpt"));
        // Only whole folder names: a sibling with a longer name and a path that merely ends the same are left alone.
        Assert.Equal($"{ModelsRoot}2/x and /home{ModelsRoot}/x", Engine.Redact($"{ModelsRoot}2/x and /home{ModelsRoot}/x"));
        var counts = new RedactionCounts();
        Engine.Redact($"{ModelsRoot}/a {DataRoot}/b {ToolsRoot}/c", counts);
        Assert.Equal(new Dictionary<string, int> { ["data-root-path"] = 1, ["tools-path"] = 1, ["weight-path"] = 1 }, counts.Snapshot());
        Assert.Null(Engine.FindSecret($"{ModelsRoot}/a"));
    }

    [Fact]
    public void A_weight_file_under_no_root_is_written_from_its_models_folder_and_configured_roots_win()
    {
        var counts = new RedactionCounts();
        Assert.Equal("{weights}/checkpoints/x.safetensors", Engine.Redact("/home/ada/ComfyUI/models/checkpoints/x.safetensors", counts));
        Assert.Equal("{weights}/x.gguf", Engine.Redact("/mnt/llm/x.gguf", counts));
        Assert.Equal(new Dictionary<string, int> { [RuleIds.WeightFile] = 2 }, counts.Snapshot());
        // A configured root keeps its alias, even over a models folder of its own.
        var configured = new RedactionCounts();
        Assert.Equal("{models}/models/x.safetensors", Engine.Redact($"{ModelsRoot}/models/x.safetensors", configured));
        Assert.Equal(new Dictionary<string, int> { [RuleIds.WeightPath] = 1 }, configured.Snapshot());
        // Not weights: source files, relative paths, URLs, names that merely continue past a weight ending.
        foreach (var text in (string[])["File \"/home/ada/tools/resize.py\", line 42", "loras/y.safetensors", "https://hf.co/a/b/x.safetensors",
                     "/srv/x.safetensors.part", "/usr/bin/python3", "C:\\tools\\run.py"])
            Assert.Same(text, Engine.Redact(text));
        Assert.Null(Engine.FindSecret("/home/ada/ComfyUI/models/checkpoints/x.safetensors"));
    }

    [Fact]
    public void A_private_key_is_taken_out_whole_even_when_its_end_is_cut_off()
    {
        var body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nAbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcdefghijkl";
        var redacted = Engine.Redact($"key:\n-----BEGIN ENCRYPTED PRIVATE KEY-----\n{body}");
        Assert.Equal("key:\n-----BEGIN ENCRYPTED PRIVATE KEY-----[REDACTED]-----END ENCRYPTED PRIVATE KEY-----", redacted);
        var pgp = Engine.Redact($"-----BEGIN PGP PRIVATE KEY BLOCK-----\n{body}\n-----END PGP PRIVATE KEY BLOCK-----");
        Assert.DoesNotContain("MIIEvQ", pgp);
        Assert.Equal("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", Engine.Redact("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"));
    }

    [Fact]
    public void Keys_stay_readable_only_the_values_go()
    {
        Assert.Equal("{\"user\": \"ada\", \"password\": \"[REDACTED]\", \"n\": 3}", Engine.Redact("{\"user\": \"ada\", \"password\": \"a b c\", \"n\": 3}"));
        Assert.Equal("PASSWORD=[REDACTED] HOST=db", Engine.Redact("PASSWORD=hunter2 HOST=db"));
        Assert.Equal("https://[REDACTED]@example.com/x?page=1&token=[REDACTED]", Engine.Redact("https://ada:pw@example.com/x?page=1&token=abc"));
        Assert.Equal("Authorization: [REDACTED]\nAccept: text/html", Engine.Redact("Authorization: Negotiate YIIabc\nAccept: text/html"));
    }

    [Fact]
    public void FindSecret_names_the_rule_and_ignores_paths()
    {
        Assert.Equal("token-github", Engine.FindSecret("use ghp_" + SecretCorpus.Fake(36, 99)));
        Assert.Equal("configured-secret", Engine.FindSecret("x" + SecretCorpus.ComfyToken));
        Assert.Null(Engine.FindSecret("nothing here"));
    }

    [Fact]
    public void Clean_text_costs_no_allocation()
    {
        string[] texts =
        [
            "Attempt 1 of python.tool started on worker host-42",
            "Tool hello exited with code 0 after 41 ms",
            "Job succeeded in 120 ms",
            "GET /api/projects/p-1/jobs/20250101-120000-ab12cd34 answered 404",
        ];
        foreach (var text in texts)
            Assert.Same(text, Engine.Redact(text)); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
            foreach (var text in texts)
                Engine.Redact(text);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
