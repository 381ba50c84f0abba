using System.Text;
using System.Text.Json;

namespace JobLogs.Tests.Redaction;

/// <summary>One text holding secrets: what the rule <see cref="Rule"/> must take out (<see cref="Secrets"/>) and, where it
/// matters, what must read instead (<see cref="Expect"/>).</summary>
public sealed record CorpusItem(string Id, string Rule, string Text, string[] Secrets, string? Expect = null)
{
    public override string ToString() => Id;
}

/// <summary>
/// The secret forms every rule must catch (the unit tests run them through the engine; the whole-app test makes a tool
/// print them), and the texts no rule may touch. Tokens are made up here, in the shapes real ones have.
/// </summary>
public static class SecretCorpus
{
    /// <summary>The secret values the configuration knows in the tests: long and awkward (quotes, backslash, non-ASCII, '+/='
    /// so that every encoded form differs), and one too short to be searched for.</summary>
    public const string ConfiguredSecret = "Zq9!x/+=\u00fc\"sEcReT\\4471-cfg";
    public const string ComfyToken = "cfy-Tk7pQ2mV9xL4sR8wN3bJ6hD1";
    public const string ShortSecret = "test";

    public static string Fake(int length, int seed, string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    {
        var random = new Random(seed);
        return string.Concat(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]));
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string PemBody(int seed) =>
        string.Join("\n", Enumerable.Range(0, 4).Select(i => Fake(64, seed + i, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")));

    /// <summary>Every secret form, with paths under <paramref name="modelsRoot"/> and <paramref name="dataRoot"/>.</summary>
    public static IReadOnlyList<CorpusItem> Items(string modelsRoot, string dataRoot)
    {
        string hf = "hf_" + Fake(34, 1), openai = "sk-proj-" + Fake(40, 2), anthropic = "sk-ant-api03-" + Fake(48, 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
        string ghp = "ghp_" + Fake(36, 4), pat = "github_pat_" + Fake(22, 5) + "_" + Fake(59, 6), gho = "gho_" + Fake(36, 7);
        string xoxb = "xoxb-" + Fake(12, 8, "0123456789") + "-" + Fake(24, 9), xoxp = "xoxp-" + Fake(12, 10, "0123456789") + "-" + Fake(32, 11);
        string akia = "AKIA" + Fake(16, 12, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEiLCJyb2xlIjoiYWRtaW4ifQ." + Fake(43, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
        string google = "AIza" + Fake(35, 14), gitlab = "glpat-" + Fake(20, 15), stripe = "sk_live_" + Fake(24, 16), npm = "npm_" + Fake(36, 17);
        string opaque = Fake(28, 18) + "9.x", basicPassword = "hunter2-" + Fake(10, 19), basic = Base64("ada:" + basicPassword);
        string pem = PemBody(100), ssh = PemBody(200), pkcs8 = PemBody(300), orphan = PemBody(400);
        string pw1 = "Pw-" + Fake(14, 20), pw2 = "Pw-" + Fake(14, 21), pw3 = "Pw-" + Fake(14, 22), pwAt = "p@ss-" + Fake(10, 23);
        string q1 = Fake(24, 30), q2 = Fake(24, 31), q3 = Fake(24, 32), q4 = Fake(24, 33), q5 = Fake(40, 34, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%");
        string k1 = "Kv-" + Fake(16, 40), k2 = "Kv-" + Fake(16, 41), k3 = "Kv " + Fake(8, 42) + " " + Fake(8, 43), k4 = "Kv-" + Fake(16, 44);
        string k5 = "Kv-" + Fake(16, 45), k6 = "Kv-" + Fake(16, 46), aws = Fake(40, 47, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        string k7 = "Kv-" + Fake(16, 48), k8 = "Kv-" + Fake(16, 49);
        string j1 = "Kj-" + Fake(24, 60), j2 = "Kj-" + Fake(24, 61), j3 = "Kj-" + Fake(24, 62), j4 = "Kj-" + Fake(24, 63);
        string j5 = "Kj-" + Fake(24, 64), j6 = "Kj-" + Fake(24, 65), j7 = "Kj-" + Fake(24, 66);
        string c1 = Fake(32, 50), c2 = Fake(32, 51), c3 = Fake(32, 52), digest = Fake(32, 53, "0123456789abcdef"), apiKey = Fake(32, 54), proxy = Base64("svc:" + Fake(12, 55));

        return
        [
            new("hf-token", "token-hf", $"Downloading the model with {hf} from the hub", [hf]),
            new("openai-key", "token-sk", $"openai.AuthenticationError: Incorrect API key provided: {openai}.", [openai]),
            new("anthropic-key", "token-sk", $"client = Anthropic(api={anthropic})", [anthropic]),
            new("github-classic", "token-github", $"git push https://github.com/org/repo using {ghp}", [ghp]),
            new("github-fine-grained", "token-github", $"GH token {pat} expires in 30 days", [pat]),
            new("github-oauth", "token-github", $"oauth token={gho}", [gho]),
            new("slack-bot", "token-slack", $"posting to #alerts as {xoxb}", [xoxb]),
            new("slack-user", "token-slack", $"slack user token {xoxp} revoked", [xoxp]),
            new("aws-access-key", "token-aws", $"aws configure set aws_access_key_id {akia}", [akia]),
            new("jwt", "token-jwt", $"session cookie value {jwt} was rejected", [jwt]),
            new("google-api-key", "token-google", $"maps client created with {google}", [google]),
            new("gitlab-token", "token-gitlab", $"cloning with {gitlab}", [gitlab]),
            new("stripe-key", "token-stripe", $"stripe.api_base set; using {stripe}", [stripe]),
            new("npm-token", "token-npm", $"//registry/:_authToken {npm}", [npm]),
            new("bearer", "auth-scheme", $"request failed; sent Bearer {opaque} to /prompt", [opaque], "Bearer [REDACTED]"),
            new("basic", "auth-scheme", $"upstream said 401 to Basic {basic}", [basic, basicPassword]),
            new("token-scheme", "auth-scheme", $"header was Token {opaque}Z end", [opaque + "Z"]),
            new("pem-rsa", "pem-private-key", $"loaded key:\n-----BEGIN RSA PRIVATE KEY-----\n{pem}\n-----END RSA PRIVATE KEY-----\ndone", [.. pem.Split('\n')],
                "-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----"),
            new("pem-openssh", "pem-private-key", $"-----BEGIN OPENSSH PRIVATE KEY-----\n{ssh}\n-----END OPENSSH PRIVATE KEY-----", [.. ssh.Split('\n')]),
            new("pem-escaped", "pem-private-key", "{\"key\": \"-----BEGIN PRIVATE KEY-----\\n" + pkcs8.Replace("\n", "\\n") + "\\n-----END PRIVATE KEY-----\\n\"}",
                [.. pkcs8.Split('\n')]),
            new("pem-cut", "pem-private-key", $"…{orphan}\n-----END EC PRIVATE KEY-----\nnext step", [.. orphan.Split('\n')]),
            new("url-password", "url-credentials", $"cloning https://ada:{pw1}@git.example.com/repo.git", [pw1], "https://[REDACTED]@git.example.com/repo.git"),
            new("url-postgres", "url-credentials", $"connecting to postgres://svc:{pw2}@db.internal:5432/jobs", [pw2], "postgres://[REDACTED]@db.internal:5432/jobs"),
            new("url-redis", "url-credentials", $"cache at redis://:{pw3}@cache:6379/0", [pw3]),
            new("url-password-with-at", "url-credentials", $"GET https://bob:{pwAt}@host.example/x", [pwAt, pwAt[2..]]),
            new("query-token", "secret-key", $"GET http://comfy:8188/view?filename=a.png&token={q1}", [q1], "filename=a.png&token=[REDACTED]"),
            new("query-key", "query-secret", $"https://maps.example.com/api?key={q2}&q=berlin", [q2], "q=berlin"),
            new("query-api-key", "secret-key", $"/v1/models?api_key={q3}&page=2", [q3], "page=2"),
            new("query-access-token", "secret-key", $"redirect to /cb?access_token={q4}&state=xyz", [q4]),
            new("query-sas-sig", "query-secret", $"https://acct.blob.core.windows.net/c/b.png?sv=2024&sig={q5}", [q5]),
            new("env-password", "secret-key", $"PASSWORD={k1}\nHOME=/root", [k1], "HOME=/root"),
            new("yaml-password", "secret-key", $"database:\n  db.password: {k2}\n  host: db", [k2]),
            new("json-client-secret", "secret-key", $"{{\"client_id\": \"app-1\", \"client_secret\": \"{k3}\"}}", [k3, k3.Split(' ')[1]], "\"client_id\": \"app-1\""),
            new("json-escaped-api-key", "secret-key", $"{{\\\"api_key\\\": \\\"{k4}\\\", \\\"n\\\": 1}}", [k4]),
            new("cli-password", "secret-key", $"running: tool --user ada --password {k5} --verbose", [k5], "--verbose"),
            new("cli-api-key", "secret-key", $"running: sync --api-key={k6}", [k6]),
            new("aws-secret-key", "secret-key", $"AWS_SECRET_ACCESS_KEY={aws}", [aws]),
            new("python-dict-private-key", "secret-key", $"config = {{'private_key': '{k7}', 'region': 'eu'}}", [k7], "'region': 'eu'"),
            new("python-settings-secret", "secret-key", $"SECRET_KEY = \"{k8}\"", [k8]),
            // A tool printing the request it sends: secrets under provider-named keys, in JSON at any depth and escaping.
            new("json-nested-provider-key", "secret-key", $"{{\"prompt\": {{\"3\": {{\"class_type\": \"KSampler\"}}}}, \"extra_data\": {{\"api_key_comfy_org\": \"{j1}\"}}}}", [j1],
                "\"extra_data\": {\"api_key_comfy_org\": \"[REDACTED]\"}"),
            new("json-in-json-string", "secret-key", $"{{\"body\": \"{{\\\"extra_data\\\": {{\\\"api_key_openai\\\": \\\"{j2}\\\"}}}}\"}}", [j2]),
            new("json-twice-escaped", "secret-key", $"\"{{\\\"payload\\\": \\\"{{\\\\\\\"hfToken\\\\\\\": \\\\\\\"{j3}\\\\\\\"}}\\\"}}\"", [j3]),
            new("python-repr-provider-key", "secret-key", $"sending {{'extra_data': {{'api_key_comfy_org': '{j4}'}}, 'client_id': 'c1'}}", [j4], "'client_id': 'c1'"),
            new("env-provider-key", "secret-key", $"API_KEY_OPENAI={j5} python run.py", [j5], " python run.py"),
            new("yaml-camel-token", "secret-key", $"hub:\n  hfToken: {j6}\n  repo: org/model", [j6], "repo: org/model"),
            new("header-provider-key", "secret-key", $"X-Api-Key-Comfy-Org: {j7}\nAccept: */*", [j7], "Accept: */*"),
            new("cookie-header", "secret-header", $"request headers:\nCookie: session={c1}; csrftoken={c2}\nAccept: */*", [c1, c2], "Accept: */*"),
            new("set-cookie-header", "secret-header", $"Set-Cookie: sid={c3}; Path=/; HttpOnly", [c3]),
            new("digest-header", "secret-header", $"Authorization: Digest username=\"ada\", response=\"{digest}\"", [digest]),
            new("api-key-header", "secret-key", $"X-Api-Key: {apiKey}", [apiKey]),
            new("proxy-authorization", "auth-scheme", $"Proxy-Authorization: Basic {proxy}", [proxy]),
            new("configured-plain", "configured-secret", $"the tool echoed {ConfiguredSecret} back", [ConfiguredSecret]),
            new("configured-url-encoded", "configured-secret", $"GET /cb?state={Uri.EscapeDataString(ConfiguredSecret)}&x=1", [Uri.EscapeDataString(ConfiguredSecret)]),
            new("configured-base64", "configured-secret", $"payload {Base64(ConfiguredSecret)}", [Base64(ConfiguredSecret).TrimEnd('=')[..^1]]),
            new("configured-in-basic", "configured-secret", $"credential {Base64("ada:" + ConfiguredSecret)}", [Base64("ada:" + ConfiguredSecret)[6..^4]]),
            new("configured-json-escaped", "configured-secret", $"{{\"value\": {JsonSerializer.Serialize(ConfiguredSecret)}}}", [JsonSerializer.Serialize(ConfiguredSecret).Trim('"')]),
            new("configured-token", "configured-secret", $"ComfyUI answered 401 to {ComfyToken}", [ComfyToken]),
            new("weight-path", "weight-path", $"loading {modelsRoot}/checkpoints/sd_xl_base_1.0.safetensors", [modelsRoot],
                "loading {models}/checkpoints/sd_xl_base_1.0.safetensors"),
            // Weight files under no configured root, known by their ending.
            new("weight-file-posix", "weight-file", "loading /home/ada/ComfyUI/models/checkpoints/sd_xl_base_1.0.safetensors", ["/home/ada/ComfyUI"],
                "loading {weights}/checkpoints/sd_xl_base_1.0.safetensors"),
            new("weight-file-windows", "weight-file", @"lora C:\Users\Ada Lovelace\ComfyUI\models\loras\y.safetensors not found", [@"C:\Users\Ada Lovelace"],
                "lora {weights}/loras/y.safetensors not found"),
            new("weight-file-unc", "weight-file", @"reading \\gpu-box\share\sd\z.ckpt", [@"\\gpu-box\share"], "reading {weights}/z.ckpt"),
            new("weight-file-json-escaped", "weight-file", @"{""vae"": ""D:\\AI\\models\\vae\\v.pt""}", [@"D:\\AI"], @"{""vae"": ""{weights}/vae/v.pt""}"),
            new("weight-file-url", "weight-file", "file:///srv/ml/unet.gguf was mapped", ["/srv/ml"], "file://{weights}/unet.gguf was mapped"),
            new("data-root-path", "data-root-path", $"wrote {dataRoot}/projects/p1/files/assets/j1/out.png", [dataRoot + "/"], "wrote projects/p1/files/assets/j1/out.png"),
        ];
    }

    /// <summary>Texts no rule may change: ids, hashes, ordinary words next to key words, placeholders, near-miss token shapes.</summary>
    public static readonly string[] Clean =
    [
        "test", "Running the test suite: 12 tests passed, 0 failed", "ada ran a test of the test tool",
        "token count: 1234", "max_tokens=256 temperature=0.7 top_p=0.9", "tokenizer: sentencepiece", "author: Ada Lovelace",
        "The basic configuration is fine", "Token expired, requesting a new one", "keyboard, monkey and turkey keys",
        "OAuth login page", "password reset email sent to ada@example.com", "The Authorization header is missing",
        "Cookie consent banner shown", "PRIVATE KEY handling is documented in the README",
        "job 20250101-120000-ab12cd34 in project p-0123456789ab, attempt 2",
        "trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7",
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8", "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "prompt 0f8d3c2e-1b4a-4c6d-9e8f-7a6b5c4d3e2f queued", "https://example.com/docs?page=2&sort=asc#top",
        "ssh://git@github.com/org/repo.git", "http://localhost:8188/prompt", "See https://example.com/a@b",
        "File \"/usr/lib/python3.11/json/decoder.py\", line 355", "secret_name: HF_TOKEN", "{\"$secret\": \"HF_TOKEN\"}",
        "auth: none", "password: null", "token: ***", "api_key=", "sk-short", "hf_hub_download", "AKIA-not-a-key", "eyJust kidding",
        "Basic information about the model", "Bearer of bad news", "max_tokens: 4096", "\"tokens\": 77", "passed: 12, failed: 0",
        "Sampler steps=30 cfg=7.5 seed=123456789 width=1024 height=1024", "Saved ComfyUI_00001_.png (1.2 MB)",
        "token_count=12 max_tokens: 77", "keyboard: us", "primary_key: id", "key_frame: 12", "secret_name=HF_TOKEN",
        "models/checkpoints/sd_xl_base_1.0.safetensors", "{models}/checkpoints/x.safetensors", "./loras/y.safetensors",
        "https://huggingface.co/org/repo/resolve/main/model.safetensors", "File \"/home/ada/tools/resize.py\", line 42, in resize",
        "set JobLogs:Secrets:HF_TOKEN (environment variable JobLogs__Secrets__HF_TOKEN) and refer to it as {\"$secret\": \"HF_TOKEN\"}",
    ];
}
