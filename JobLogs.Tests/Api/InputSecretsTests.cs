using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Redaction;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Api;

/// <summary>Secrets reach a job only by reference: a raw one in the input is a 400 that says how to refer to it, and never repeats it.</summary>
public sealed class InputSecretsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string Token = "ghp_" + SecretCorpus.Fake(36, 600);
    private readonly HttpClient _http = api.CreateClient();
    private readonly string _project = ApiFactory.NewProjectId();

    public static readonly TheoryData<string, string, string, string> RawSecrets = new()
    {
        { """{"api_key": "abc-123-def-456"}""", "abc-123-def-456", "input.args.api_key holds a literal value, and its name marks it as a secret",
            "JobLogs:Secrets:API_KEY (environment variable JobLogs__Secrets__API_KEY) and refer to it here as {\"$secret\": \"API_KEY\"}" },
        { """{"db": {"Password": 123456789}}""", "123456789", "input.args.db.Password holds a literal value", "{\"$secret\": \"PASSWORD\"}" },
        { """{"url": "https://ada:pw-9988776655@git.example/repo"}""", "pw-9988776655", "input.args.url holds what looks like a secret (a password in a URL)", "{\"$secret\": \"URL\"}" },
        { $$"""{"notes": ["fine", "push with {{Token}}"]}""", Token, "input.args.notes[1] holds what looks like a secret (a token of the shape github)", "{\"$secret\": \"NOTES\"}" },
        { """{"headers": {"X-Trace": "Authorization: Bearer abcDEF123456ghi"}}""", "abcDEF123456ghi", "input.args.headers.X-Trace holds what looks like a secret (Bearer or Basic credentials)", "JobLogs:Secrets:X_TRACE" },
        { $$"""{"{{Token}}": 1}""", Token, "A key in input.args looks like a secret", "{\"$secret\": \"NAME\"}" },
        { """{"token": {"$secret": "not a name!"}}""", "not a name!", "input.args.token is a secret reference but not of the form {\"$secret\": \"NAME\"}", "letters, digits" },
        { """{"token": {"$secret": "HF", "value": "x"}}""", "\"value\"", "input.args.token is a secret reference but not of the form", "NAME" },
    };

    [Theory]
    [MemberData(nameof(RawSecrets))]
    public async Task A_raw_secret_in_the_input_is_refused_with_how_to_refer_to_it(string args, string secret, string where, string how)
    {
        var body = """{"type": "python.tool", "input": {"tool": "hello", "args": ARGS}}""".Replace("ARGS", args);
        using var response = await _http.PostAsync($"/api/projects/{_project}/jobs", new StringContent(body, Encoding.UTF8, "application/json"));
        var detail = await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains(where, detail);
        Assert.Contains(how, detail);
        if (!secret.StartsWith('"'))
            Assert.DoesNotContain(secret, detail);
        Assert.False(Directory.Exists(api.Layout.JobsDirectory(_project)) && Directory.EnumerateFiles(api.Layout.JobsDirectory(_project)).Any(),
            "Nothing was created.");
        // The failed-request entry of the service log names the problem, not the value.
        await Eventually.True(() => File.Exists(api.Layout.RuntimeLog("backend")) && File.ReadAllText(api.Layout.RuntimeLog("backend")).Contains(where.Split(' ')[0]),
            TimeSpan.FromSeconds(5), "the failed request to be logged");
        if (!secret.StartsWith('"'))
            Assert.DoesNotContain(secret, File.ReadAllText(api.Layout.RuntimeLog("backend")));
    }

    // comfyui.workflow inputs: the raw secret, and the same input referring to a secret instead.
    public static readonly TheoryData<string, string, string, string> RawSecretsInWorkflows = new()
    {
        { $$"""{"workflow": {"1": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat, {{Token}}"} } } }""", Token,
            "input.workflow.1.inputs.text holds what looks like a secret (a token of the shape github)",
            """{"workflow": {"1": {"class_type": "CLIPTextEncode", "inputs": {"text": {"$secret": "PROMPT"}}}}}""" },
        { """{"workflow": {"1": {"class_type": "X", "inputs": {}}}, "overrides": {"1.api_key": "abc-123-def-456"}}""", "abc-123-def-456",
            "input.overrides.1.api_key holds a literal value, and its name marks it as a secret",
            """{"workflow": {"1": {"class_type": "X", "inputs": {}}}, "overrides": {"1.api_key": {"$secret": "API_KEY"}}}""" },
    };

    [Theory]
    [MemberData(nameof(RawSecretsInWorkflows))]
    public async Task A_raw_secret_in_a_workflow_or_its_overrides_is_refused_and_a_reference_is_accepted(string input, string secret, string where, string referring)
    {
        using var refused = await _http.PostAsync($"/api/projects/{_project}/jobs",
            new StringContent($$"""{"type": "comfyui.workflow", "input": {{input}}}""", Encoding.UTF8, "application/json"));
        var detail = await ApiCalls.AssertProblem(refused, HttpStatusCode.BadRequest);
        Assert.Contains(where, detail);
        Assert.Contains("refer to it here as {\"$secret\": ", detail);
        Assert.DoesNotContain(secret, detail);

        using var accepted = await _http.PostAsync($"/api/projects/{_project}/jobs",
            new StringContent($$"""{"type": "comfyui.workflow", "input": {{referring}}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Fact]
    public async Task A_problem_sentence_that_quotes_the_request_is_redacted()
    {
        using var response = await _http.PostAsync($"/api/projects/{_project}/jobs", new StringContent(
            $"{{\"type\": \"{Token}\", \"input\": {{}}}}", Encoding.UTF8, "application/json"));
        var detail = await ApiCalls.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.StartsWith("Unknown job type '[REDACTED]'", detail);
    }

    [Fact]
    public async Task References_placeholders_and_ordinary_key_names_are_accepted_and_kept_as_they_are()
    {
        var input = new
        {
            tool = "hello",
            args = new Dictionary<string, object?>
            {
                ["token"] = new Dictionary<string, string> { ["$secret"] = "HF_TOKEN" },
                ["nested"] = new object[] { new Dictionary<string, string> { ["$secret"] = "comfyui.token-2" } },
                ["auth"] = "none",
                ["password"] = "",
                ["max_tokens"] = 512,
                ["tokenizer"] = "bpe",
                ["prompt"] = "a test of the basic configuration, author Ada",
            },
        };
        using var response = await _http.PostAsJsonAsync($"/api/projects/{_project}/jobs", new { type = "python.tool", input });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<Job>(Json.Options))!;
        Assert.Equal("HF_TOKEN", job.Input.GetProperty("args").GetProperty("token").GetProperty("$secret").GetString());
        Assert.Equal(JsonSerializer.Serialize(input.args, Json.Options), job.Input.GetProperty("args").GetRawText());
    }
}
