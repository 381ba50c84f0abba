using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Redaction;
using JobLogs.Tests.Support;
using Microsoft.Playwright;

namespace JobLogs.Tests.Redaction;

/// <summary>
/// The secret corpus pushed through real job runs of the whole app — a tool that prints every form to stderr and stdout,
/// fails with secrets in its exception, outputs them, and gets configured secrets by reference; ComfyUI workflows behind
/// a token whose secrets by reference ComfyUI echoes in its refusal, and one failing on a file it names by its absolute path —
/// and then looked for everywhere a person or a backend could see it: the data root, every Api response, the rendered
/// pages, and the telemetry all three services exported to the test's OTLP receiver.
/// </summary>
[Collection(RedactionAppCollection.Name)]
public sealed class RedactionAppTests(RedactionAppFixture app, BrowserFixture browser)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);
    private readonly string _project = AppFixture.NewProjectId();

    private Task<Job> CreateLeaky(bool fail) => app.Api.CreateJob(_project, JobTypes.PythonTool, new
    {
        tool = "leaky",
        args = new Dictionary<string, object>
        {
            ["corpus"] = app.CorpusPath,
            ["configured"] = new Dictionary<string, string> { ["$secret"] = RedactionAppFixture.CorpusSecretName },
            ["short"] = new Dictionary<string, string> { ["$secret"] = RedactionAppFixture.ShortSecretName },
            ["fail"] = fail,
        },
    });

    private Task<Job> CreateWorkflow(Dictionary<string, object> workflow, Dictionary<string, object>? overrides = null) =>
        app.Api.CreateJob(_project, JobTypes.ComfyUIWorkflow, overrides is null ? new { workflow } : new { workflow, overrides });

    private static Dictionary<string, string> Secret(string name) => new() { [SecretReference.Key] = name };

    [Fact]
    public async Task No_secret_reaches_a_record_a_log_a_response_a_page_or_the_telemetry()
    {
        var failing = await CreateLeaky(fail: true);
        var succeeding = await CreateLeaky(fail: false);
        var missing = await app.Api.CreateTool(_project, "leaky", new Dictionary<string, object> { ["key"] = new Dictionary<string, string> { ["$secret"] = "NOT_CONFIGURED" } });
        // ComfyUI echoes the value it refuses: a configured secret by reference in an override, a token in the workflow itself.
        var echoing = await CreateWorkflow(Workflows.TextToImage(Workflows.NewSeed()),
            new() { ["1.ckpt_name"] = Secret(RedactionAppFixture.CorpusSecretName) });
        var tokenWorkflow = Workflows.TextToImage(Workflows.NewSeed());
        tokenWorkflow["1"] = new { class_type = "CheckpointLoaderSimple", inputs = new { ckpt_name = Secret(RedactionAppFixture.GitHubTokenName) } };
        var echoingToken = await CreateWorkflow(tokenWorkflow);
        // ComfyUI names a file it cannot load by its absolute path (under a weight root).
        var broken = await CreateWorkflow(new()
        {
            ["1"] = new { class_type = "LoadImage", inputs = new { image = RedactionAppFixture.NotAnImage } },
            ["2"] = new { class_type = "PreviewImage", inputs = new { images = new object[] { "1", 0 } } },
        });
        using var refused = await app.Api.PostAsJsonAsync($"/api/projects/{_project}/jobs",
            new { type = "python.tool", input = new { tool = "leaky", args = new { note = "x " + SecretCorpus.ConfiguredSecret } } });
        var refusal = await ApiCalls.AssertProblem(refused, HttpStatusCode.BadRequest);
        Assert.Contains("input.args.note holds what looks like a secret (the value of a configured secret)", refusal);

        var failed = await app.Api.WaitForStatus(_project, failing.Id, s => s.IsFinished(), JobTimeout);
        var succeeded = await app.Api.WaitForStatus(_project, succeeding.Id, s => s.IsFinished(), JobTimeout);
        var lacking = await app.Api.WaitForStatus(_project, missing.Id, s => s.IsFinished(), JobTimeout);
        var rejected = await app.Api.WaitForStatus(_project, echoing.Id, s => s.IsFinished(), JobTimeout);
        var rejectedToken = await app.Api.WaitForStatus(_project, echoingToken.Id, s => s.IsFinished(), JobTimeout);
        var unloadable = await app.Api.WaitForStatus(_project, broken.Id, s => s.IsFinished(), JobTimeout);
        Job[] jobs = [failed, succeeded, lacking, rejected, rejectedToken, unloadable];

        // What each job must show: the failure card of a tool that raised, the output, the missing secret by name.
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal("RuntimeError", failed.Error!.Type);
        Assert.Equal("leaky.py:63", failed.Error.Where);
        Assert.StartsWith("Tool leaky failed with RuntimeError: could not authenticate to https://[REDACTED]@comfy.example with [REDACTED] and key [REDACTED]", failed.Error.Message);
        Assert.Equal(JobStatus.Succeeded, succeeded.Status);
        Assert.Equal("pushed with [REDACTED]", succeeded.Output!.Value.GetProperty("echo").Str("note"));
        Assert.Equal(JobStatus.Failed, lacking.Status);
        Assert.Equal("secret-missing", lacking.Error!.Rule);
        Assert.Contains("secret NOT_CONFIGURED at input.args.key", lacking.Error.Message);
        // The workflows: ComfyUI got the secrets (it refused their values, not a reference), the cards show them redacted,
        // and the absolute path ComfyUI named reads as its alias.
        foreach (var job in new[] { rejected, rejectedToken })
        {
            var card = job.AssertFailed(app.Layout, "validate", "node 1 CheckpointLoaderSimple, input ckpt_name", "invalid-input");
            Assert.Contains("ckpt_name: '[REDACTED]' not in ['broken-demo.safetensors'", card.Message);
        }
        Assert.True(rejected.Redactions!.GetValueOrDefault(RuleIds.ConfiguredSecret) > 0, string.Join(", ", rejected.Redactions!));
        var unloaded = unloadable.AssertFailed(app.Layout, "execute", "node 1 LoadImage", "comfyui-node-error");
        var aliased = $"'{{comfyui}}/input/{RedactionAppFixture.NotAnImage}'";
        Assert.Equal($"Node 1 LoadImage failed: PIL.UnidentifiedImageError: cannot identify image file {aliased}", unloaded.Message);
        Assert.Contains(aliased, FailureAssertions.EntryAt(app.Layout, unloadable, unloaded.LogOffset!.Value)
            .GetProperty("data").GetProperty("exception").Str("message"));
        Assert.True(unloadable.Redactions!.GetValueOrDefault(RuleIds.WeightPath) > 0, string.Join(", ", unloadable.Redactions!));

        // Everywhere: the files under the data root ...
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(app.DataRoot.Path, "*", SearchOption.AllDirectories))
            found.AddRange(Leaks($"file {Path.GetRelativePath(app.DataRoot.Path, file)}", File.ReadAllText(file)));
        // ... the worker's and the web's own disks: spools (read although a worker holds them), outputs, local runtime logs ...
        var local = new[] { "joblogs-worker", "joblogs-web" }.Select(folder => Path.Combine(app.ServiceTemp.Path, folder)).Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)).ToList();
        Assert.Contains(local, f => f.EndsWith("/joblogs-worker/worker.jsonl", StringComparison.Ordinal));
        Assert.Contains(local, f => f.EndsWith("/joblogs-web/web.jsonl", StringComparison.Ordinal));
        foreach (var file in local)
        {
            string text;
            try
            {
                text = LockedFiles.ReadAllText(file);
            }
            catch (IOException) when (!File.Exists(file))
            {
                continue; // a spool shipped and removed, an output folder cleared, meanwhile
            }
            found.AddRange(Leaks($"file {Path.GetRelativePath(app.ServiceTemp.Path, file)} on a service's disk", text));
        }
        // ... every Api response about these jobs and the services, directly and through the web ...
        found.AddRange(Leaks("the 400 answer", refusal));
        foreach (var http in new[] { app.Api, app.Web })
        {
            foreach (var job in jobs)
            {
                found.AddRange(Leaks($"GET job {job.Id}", await http.GetStringAsync($"/api/projects/{_project}/jobs/{job.Id}")));
                found.AddRange(Leaks($"GET log {job.Id}", await http.GetStringAsync($"/api/projects/{_project}/jobs/{job.Id}/log?tailBytes=1000000")));
                using var raw = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{_project}/jobs/{job.Id}/log?tailBytes=1000000");
                raw.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
                using var rawResponse = await http.SendAsync(raw);
                found.AddRange(Leaks($"GET raw log {job.Id}", await rawResponse.Content.ReadAsStringAsync()));
            }
            found.AddRange(Leaks("GET jobs", await http.GetStringAsync($"/api/projects/{_project}/jobs")));
            foreach (var service in new[] { "backend", "worker", "web" })
                found.AddRange(Leaks($"GET system log {service}", await http.GetStringAsync($"/api/system/logs/{service}?tailBytes=1000000")));
        }
        // ... the pages, as the browser renders them (the log viewer fills in the log) ...
        var page = await browser.NewPage();
        foreach (var job in jobs)
        {
            await page.GotoAsync(new Uri(app.WebAddress, $"/projects/{_project}/jobs/{job.Id}").ToString());
            await Assertions.Expect(page.Locator(".log-row").First).ToBeVisibleAsync();
            found.AddRange(Leaks($"job page {job.Id}", await page.ContentAsync() + await page.InnerTextAsync("body")));
        }
        await page.GotoAsync(new Uri(app.WebAddress, $"/projects/{_project}").ToString());
        found.AddRange(Leaks("jobs page", await page.ContentAsync()));
        await page.GotoAsync(new Uri(app.WebAddress, "/system").ToString());
        await Assertions.Expect(page.Locator(".log-row").First).ToBeVisibleAsync();
        found.AddRange(Leaks("system page", await page.ContentAsync() + await page.InnerTextAsync("body")));
        // ... and the telemetry of all three services, once the failed job's trace and entries have been exported.
        var trace = failed.Attempts.Single().TraceId!;
        await Eventually.True(() =>
            OtlpJson.Spans(app.Otlp.Received("traces")).Where(s => OtlpJson.Id(s.Span, "traceId") == trace).Select(s => s.Service).Distinct().Count() == 2
            && OtlpJson.LogRecords(app.Otlp.Received("logs")).Any(r => OtlpJson.Id(r.Record, "traceId") == trace && r.Service == "worker")
            && app.Otlp.Received("metrics").Any(m => Encoding.UTF8.GetString(m).Contains("joblogs.redactions")),
            TimeSpan.FromSeconds(30), "the failed job's spans, entries and the redaction metric to be exported");
        foreach (var signal in new[] { "traces", "logs", "metrics" })
        {
            var received = app.Otlp.Received(signal);
            Assert.NotEmpty(received);
            found.AddRange(received.SelectMany((body, i) => Leaks($"OTLP {signal} #{i}", Encoding.UTF8.GetString(body))));
        }
        Assert.Equal(["api", "web", "worker"], OtlpJson.LogRecords(app.Otlp.Received("logs")).Select(r => r.Service).Distinct().Order());

        Assert.True(found.Count == 0, $"Secrets found in {found.Select(f => f[..f.IndexOf(": ")]).Distinct().Count()} places:\n"
            + string.Join("\n", found.GroupBy(f => f[..f.IndexOf(": ")]).Select(g => $"  {g.Key}: {g.Count()}")) + "\nFirst ones:\n" + string.Join("\n", found.Take(20)));

        // The job page shows the audit: counts by rule, never the values.
        await page.GotoAsync(new Uri(app.WebAddress, $"/projects/{_project}/jobs/{failed.Id}").ToString());
        await Assertions.Expect(page.Locator(".facts .redaction[data-rule='configured-secret']")).ToContainTextAsync("configured-secret");
        await Assertions.Expect(page.Locator(".facts .redaction[data-rule='token-github']")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "redacted-job.png"), FullPage = true });

        // The audit counts what each rule took out, and every rule of the corpus took something.
        var audit = failed.Redactions!;
        Assert.All(app.Corpus.Select(i => i.Rule).Distinct(), rule => Assert.True(audit.GetValueOrDefault(rule) > 0, $"{rule} redacted nothing: {string.Join(", ", audit)}"));
        Assert.True(audit[RuleIds.ToolsPath] > 0);

        // Every line of the corpus reached the log (so each was there to redact), and no rule blinded the clean texts.
        var failedLog = await app.Api.GetStringAsync($"/api/projects/{_project}/jobs/{failed.Id}/log?tailBytes=1000000");
        var log = JsonDocument.Parse(failedLog).RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("entry")).ToList();
        var toolCall = Assert.Single(log, e => e.Str("msg")!.StartsWith("Tool leaky exited with code 1"));
        var stderr = toolCall.GetProperty("data").Str("stderrTail")!;
        var stdout = toolCall.GetProperty("data").Str("stdoutTail")!;
        Assert.All(app.Corpus, item => Assert.Contains($"[{item.Id}] ", stderr));
        Assert.All(app.Corpus.Where(i => i.Expect is not null), item => Assert.Contains(item.Expect!, stderr));
        Assert.All(SecretCorpus.Clean, clean => Assert.Contains(clean, stdout));
        Assert.Contains("the short secret is 'test'", stdout);
        Assert.Contains("File \"{tools}/leaky.py\", line 63, in main", stderr);
        Assert.All(log, e => Assert.Equal(failed.Id, e.Str("jobId")));
    }

    [Fact]
    public async Task One_attempts_api_worker_and_tool_share_one_trace_and_every_span_carries_the_jobs_ids()
    {
        var created = await CreateLeaky(fail: false);
        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        var trace = job.Attempts.Single().TraceId!;

        // The log: the Api's entries of the attempt (claimed, reported), the worker's and the tool's carry its trace.
        var log = JsonDocument.Parse(await app.Api.GetStringAsync($"/api/projects/{_project}/jobs/{job.Id}/log")).RootElement
            .GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("entry")).Where(e => e.GetProperty("attempt").GetInt32() == 1).ToList();
        Assert.Contains(log, e => e.Str("component") == "backend" && e.Str("msg")!.StartsWith("Attempt 1 claimed"));
        Assert.Contains(log, e => e.Str("component") == "backend" && e.Str("msg") == "Attempt 1 reported succeeded");
        Assert.Contains(log, e => e.Str("component") == "worker");
        Assert.All(log, e => Assert.Equal(trace, e.Str("traceId")));
        Assert.All(log, e => Assert.Matches("^[0-9a-f]{16}$", e.Str("spanId")));

        // The tool ran under the call's span: TRACEPARENT continues the attempt's trace.
        var traceparent = job.Output!.Value.Str("traceparent")!;
        Assert.Matches($"^00-{trace}-[0-9a-f]{{16}}-01$", traceparent);
        var toolParent = traceparent[36..52];

        // The spans of the trace, from the Api and the worker, each with the job's ids.
        List<(string Service, JsonElement Span)> spans = [];
        await Eventually.True(() =>
        {
            spans = [.. OtlpJson.Spans(app.Otlp.Received("traces")).Where(s => OtlpJson.Id(s.Span, "traceId") == trace)];
            // The worker's run span ends last, after the report: the export may bring it a batch later.
            return spans.Any(s => s.Span.Str("name") == "tool leaky run") && spans.Count(s => s.Service == "api" && s.Span.Str("name")!.Contains("/report")) == 1
                && spans.Any(s => s.Service == "worker" && s.Span.Str("name") == "run python.tool");
        }, TimeSpan.FromSeconds(30), "the attempt's spans to be exported");
        string[] names = [.. spans.Select(s => $"{s.Service}: {s.Span.Str("name")}")];
        Assert.Contains("api: job python.tool", names);
        Assert.Contains("worker: run python.tool", names);
        Assert.Contains("worker: stage tool", names);
        Assert.Contains(names, n => n.StartsWith("api: POST /api/worker/projects/{projectId}/jobs/{jobId}/report"));
        Assert.Equal(toolParent, OtlpJson.Id(spans.Single(s => s.Span.Str("name") == "tool leaky run").Span, "spanId"));
        Assert.All(spans, s =>
        {
            Assert.Equal(job.Id, OtlpJson.Attribute(s.Span, "job.id"));
            Assert.Equal(_project, OtlpJson.Attribute(s.Span, "project.id"));
            Assert.Equal("1", OtlpJson.Attribute(s.Span, "job.attempt"));
        });

        // The exported log records of the attempt carry the trace too, from both services.
        await Eventually.True(() => OtlpJson.LogRecords(app.Otlp.Received("logs"))
                .Where(r => OtlpJson.Attribute(r.Record, "job.id") == job.Id && OtlpJson.Attribute(r.Record, "job.attempt") == "1")
                .Select(r => (r.Service, Trace: OtlpJson.Id(r.Record, "traceId"))).Distinct().ToList() is var records
            && records.All(r => r.Trace == trace) && records.Select(r => r.Service).Distinct().Count() == 2,
            TimeSpan.FromSeconds(30), "the attempt's log records, all in its trace, from the Api and the worker");

        // Jobs, log entries and redactions are counted.
        await Eventually.True(() => app.Otlp.Received("metrics").Select(Encoding.UTF8.GetString).ToList() is var metrics
            && new[] { "joblogs.jobs.started", "joblogs.jobs.succeeded", "joblogs.job.duration", "joblogs.log.entries", "joblogs.redactions" }
                .All(name => metrics.Any(m => m.Contains(name))),
            TimeSpan.FromSeconds(30), "the job, log and redaction metrics to be exported");
    }

    [Fact]
    public async Task One_comfyui_attempts_entries_and_spans_share_one_trace_and_comfyui_receives_it()
    {
        var created = await CreateWorkflow(Workflows.TextToImage(Workflows.NewSeed()));
        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), JobTimeout);
        Assert.True(job.Status == JobStatus.Succeeded, job.Error?.Summary);
        var trace = job.Attempts.Single().TraceId!;

        // The log: the Api's, the worker's and ComfyUI's entries of the attempt carry its trace.
        var log = app.JobLog(job).Where(e => e.GetProperty("attempt").GetInt32() == 1).ToList();
        Assert.Equal(["backend", "comfyui", "worker"], log.Select(e => e.Str("component")).Distinct().Order());
        Assert.All(log, e => Assert.Equal(trace, e.Str("traceId")));

        // The spans: a stage span per stage, a call span per call to ComfyUI, ended with its result.
        List<(string Service, JsonElement Span)> spans = [];
        await Eventually.True(() =>
        {
            spans = [.. OtlpJson.Spans(app.Otlp.Received("traces")).Where(s => OtlpJson.Id(s.Span, "traceId") == trace)];
            // The worker's run span ends last, after the report: the export may bring it a batch later.
            return spans.Any(s => s.Span.Str("name") == "comfyui download") && spans.Count(s => s.Service == "api" && s.Span.Str("name")!.Contains("/report")) == 1
                && spans.Any(s => s.Service == "worker" && s.Span.Str("name") == "run comfyui.workflow");
        }, TimeSpan.FromSeconds(30), "the attempt's spans to be exported");
        string[] names = [.. spans.Select(s => $"{s.Service}: {s.Span.Str("name")}")];
        Assert.Contains("api: job comfyui.workflow", names);
        Assert.Contains("worker: run comfyui.workflow", names);
        Assert.All(new[] { "input", "submit", "execute", "download" }, stage => Assert.Contains($"worker: stage {stage}", names));
        // One span per call (a socket silent for long would add checks over HTTP: calls too, not looked at here).
        var byOp = spans.Where(s => OtlpJson.Attribute(s.Span, "joblogs.call.target") == "comfyui").ToLookup(s => OtlpJson.Attribute(s.Span, "joblogs.call.op"), s => s.Span);
        var calls = new[] { "connect", "submit", "follow", "download" }.ToDictionary(op => op, op => Assert.Single(byOp[op]));
        Assert.Equal(("open", "200", "done", "200"), (Status(calls["connect"]), Status(calls["submit"]), Status(calls["follow"]), Status(calls["download"])));
        // Each HTTP request to ComfyUI, the socket's upgrade included, is a span under its call: its id went out in traceparent.
        foreach (var op in new[] { "connect", "submit", "download" })
            Assert.Contains(spans, s => OtlpJson.Id(s.Span, "parentSpanId") == OtlpJson.Id(calls[op], "spanId") && OtlpJson.Attribute(s.Span, "http.request.method") != "");
        // A call's entry points at the call's span.
        Assert.Equal(OtlpJson.Id(calls["submit"], "spanId"), Assert.Single(log, e => e.Call()?.Str("op") == "submit").Str("spanId"));
        Assert.All(spans, s => Assert.Equal(job.Id, OtlpJson.Attribute(s.Span, "job.id")));

        // ComfyUI received the trace with every request of the attempt: submit, socket, download.
        var received = app.ComfyUI.Log.Where(line => line.EndsWith($" trace={trace}", StringComparison.Ordinal)).ToList();
        Assert.Contains(received, line => line.Contains(" POST /prompt 200 "));
        Assert.Contains(received, line => line.Contains(" GET /ws 101 "));
        Assert.Contains(received, line => line.Contains(" GET /view 200 "));
    }

    private static string Status(JsonElement span) => OtlpJson.Attribute(span, "joblogs.call.status");

    /// <summary>Where <paramref name="text"/> holds a secret, in any form a writer could have put it in.</summary>
    private IEnumerable<string> Leaks(string where, string text) =>
        from secret in app.Secrets.Append((Name: "data root", Value: app.DataRoot.Path + "/"))
        from form in Forms(secret.Value)
        where text.Contains(form, StringComparison.Ordinal)
        select $"{where}: {secret.Name} as '{form}'";

    private static IEnumerable<string> Forms(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        string[] forms =
        [
            secret,
            Uri.EscapeDataString(secret),
            JsonEncodedText.Encode(secret).ToString(),
            JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString(),
            Convert.ToBase64String(bytes)[..(bytes.Length * 8 / 6)],
            WebUtility.HtmlEncode(secret),
        ];
        return forms.Where(f => f.Length >= 8).Distinct();
    }
}
