extern alias WorkerAssembly;
using System.Diagnostics;
using System.Net;
using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Redaction;
using JobLogs.ServiceDefaults.Telemetry;
using JobLogs.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WorkerAssembly::JobLogs.Worker.ComfyUI;

namespace JobLogs.Tests.Redaction;

/// <summary>The redacting sink in the real logging pipeline: every part of an entry, written to real files under a temp data root.</summary>
public sealed class RedactionPipelineTests : IDisposable
{
    private static readonly string Token = "ghp_" + SecretCorpus.Fake(36, 500);
    private readonly TempDirectory _dir = new("redaction");

    public void Dispose() => _dir.Dispose();

    private sealed record Lease(string Host, [property: SecretData] string Pin);

    [Fact]
    public void A_value_is_secret_by_the_template_text_before_it_whatever_its_name()
    {
        using var pipeline = new PipelineHost(_dir);
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        using (logger.BeginJobScope("p1", "j1", 1))
            logger.LogWarning("Calling /prompt with Bearer {Value}, password={Word} and user {User}", "abcDEF123456xyz", "plainword", "ada");
        var entry = Assert.Single(JsonLines.Read(pipeline.JobLog("p1", "j1")));
        Assert.Equal("Calling /prompt with Bearer [REDACTED], password=[REDACTED] and user ada", entry.Str("msg"));
        Assert.Equal(Redactor.Mask, entry.GetProperty("data").Str("value"));
        Assert.Equal(Redactor.Mask, entry.GetProperty("data").Str("word"));
        Assert.Equal("ada", entry.GetProperty("data").Str("user"));
    }

    [Fact]
    public void A_connection_strings_password_is_redacted_wherever_it_shows_up_and_its_host_is_not()
    {
        // Cluster mode's ConnectionStrings:joblogs: Npgsql or a careless message may name the password, alone or in the string.
        const string password = "pg-wiring-s3cret-value";
        var connection = $"Host=db.internal;Port=5432;Username=joblogs;Password={password};Database=joblogs";
        using var pipeline = new PipelineHost(_dir, null, $"ConnectionStrings:joblogs={connection}");
        var logger = pipeline.Logger("JobLogs.Api.Store");
        logger.LogWarning("Login failed for joblogs with {Secret} on db.internal", password);
        logger.LogWarning("Connecting with {ConnectionString}", connection);
        var text = File.ReadAllText(pipeline.Layout.RuntimeLog("worker"));
        Assert.DoesNotContain(password, text);
        Assert.Contains("Login failed for joblogs with [REDACTED] on db.internal", text);
    }

    [Fact]
    public void A_job_id_that_holds_a_configured_secret_still_routes_its_entries_while_text_is_redacted()
    {
        // The ids route an entry to its job's log; rewriting them would send the entry elsewhere. Every other part is redacted.
        const string secret = "hunter2hunter2";
        using var pipeline = new PipelineHost(_dir, null, $"ComfyUI:Token={secret}");
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        using (logger.BeginJobScope("p1", $"job-{secret}", 1))
            logger.LogInformation("Connecting with {Credential}", secret);
        var entry = Assert.Single(JsonLines.Read(pipeline.JobLog("p1", $"job-{secret}")));
        Assert.Equal($"job-{secret}", entry.Str("jobId"));
        Assert.Equal("Connecting with [REDACTED]", entry.Str("msg"));
    }

    [Fact]
    public void Named_data_is_redacted_by_key_at_every_depth_and_by_text()
    {
        using var pipeline = new PipelineHost(_dir);
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        var data = new Dictionary<string, object?>
        {
            ["request"] = new Dictionary<string, object?>
            {
                ["url"] = "https://ada:hunter2hunter2@comfy.example/prompt?token=abc123def",
                ["headers"] = new Dictionary<string, object?> { ["Authorization"] = "Digest abc", ["Accept"] = "application/json" },
                ["credentials"] = new { user = "ada", pin = 123456 },
            },
            ["stderrTail"] = "Traceback ...\nValueError: bad token " + Token,
            ["count"] = 3,
        };
        using (logger.BeginJobScope("p1", "j2", 1))
            logger.LogWithData(LogLevel.Error, null, data, "Call failed");
        var text = File.ReadAllText(pipeline.JobLog("p1", "j2"));
        var entry = Assert.Single(JsonLines.Read(pipeline.JobLog("p1", "j2"))).GetProperty("data");
        var request = entry.GetProperty("request");
        Assert.Equal("https://[REDACTED]@comfy.example/prompt?token=[REDACTED]", request.Str("url"));
        Assert.Equal(Redactor.Mask, request.GetProperty("headers").Str("Authorization"));
        Assert.Equal("application/json", request.GetProperty("headers").Str("Accept"));
        Assert.Equal(Redactor.Mask, request.GetProperty("credentials").Str("user")); // everything under a secret key
        Assert.Equal(Redactor.Mask, request.GetProperty("credentials").Str("pin"));
        Assert.Equal(3, entry.GetProperty("count").GetInt32());
        Assert.DoesNotContain(Token, text);
        Assert.DoesNotContain("hunter2", text);
    }

    [Fact]
    public void An_object_logged_by_its_text_is_redacted_like_a_string()
    {
        using var pipeline = new PipelineHost(_dir);
        using (pipeline.Logger("JobLogs.Worker.Jobs").BeginJobScope("p1", "j3", 1))
            pipeline.Logger("JobLogs.Worker.Jobs").LogInformation("GET {Uri}", new Uri("https://ada:pw-0123456789@host.example/x?key=k-0123456789&page=2"));
        var entry = Assert.Single(JsonLines.Read(pipeline.JobLog("p1", "j3")));
        Assert.Equal("GET https://[REDACTED]@host.example/x?key=[REDACTED]&page=2", entry.Str("msg"));
    }

    [Fact]
    public void A_classified_property_is_masked_whatever_it_is_called()
    {
        using var pipeline = new PipelineHost(_dir);
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        using (logger.BeginJobScope("p1", "j4", 1))
            logger.LogInformation("Leased {@Lease}", new Lease("gpu-1", "pin-7a9b-33c1"));
        var lease = Assert.Single(JsonLines.Read(pipeline.JobLog("p1", "j4"))).GetProperty("data").GetProperty("lease");
        Assert.Equal("gpu-1", lease.Str("Host"));
        Assert.Equal(Redactor.Mask, lease.Str("Pin"));
        Assert.DoesNotContain("pin-7a9b", File.ReadAllText(pipeline.JobLog("p1", "j4")));
    }

    [Fact]
    public void The_comfyui_token_is_a_configured_secret_and_classified_where_the_options_are_logged()
    {
        using var pipeline = new PipelineHost(_dir, null, $"ComfyUI:Token={SecretCorpus.ComfyToken}");
        var logger = pipeline.Logger("JobLogs.Worker.ComfyUI");
        var tally = pipeline.Tally.Watch(new JobKey("p1", "j10", 1));
        using (logger.BeginJobScope("p1", "j10", 1))
        {
            // No key name and no known shape: only the configured value gives it away.
            logger.LogWarning("ComfyUI answered {Answer}", $"no such user {SecretCorpus.ComfyToken}");
            logger.LogInformation("ComfyUI settings: {@Settings}", new ComfyUIOptions { Url = "http://127.0.0.1:8188", Token = "another-Tk-5f2e9a71c3" });
        }
        var entries = JsonLines.Read(pipeline.JobLog("p1", "j10"));
        Assert.Equal("ComfyUI answered no such user [REDACTED]", entries[0].Str("msg"));
        var settings = entries[1].GetProperty("data").GetProperty("settings");
        Assert.Equal(("http://127.0.0.1:8188", Redactor.Mask), (settings.Str("Url"), settings.Str("Token")));
        Assert.DoesNotContain("another-Tk", File.ReadAllText(pipeline.JobLog("p1", "j10")));
        // The token property was masked by its classification, before any rule saw it: only the configured value was counted.
        Assert.Equal(new Dictionary<string, int> { [RuleIds.ConfiguredSecret] = 1 }, tally.Redactions.Snapshot());
    }

    [Fact]
    public void An_exception_keeps_its_type_and_loses_its_secrets_in_message_stack_and_inner_exceptions()
    {
        using var pipeline = new PipelineHost(_dir);
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        Exception thrown;
        try
        {
            try
            {
                throw new HttpRequestException($"401 from https://svc:pw-5551234567@api.example (Bearer {Token})");
            }
            catch (Exception inner)
            {
                throw new InvalidOperationException("The upload failed", inner);
            }
        }
        catch (Exception ex)
        {
            thrown = ex;
        }
        using (logger.BeginJobScope("p1", "j5", 1))
            logger.LogError(thrown, "Upload failed");
        var text = File.ReadAllText(pipeline.JobLog("p1", "j5"));
        var exception = Assert.Single(JsonLines.Read(pipeline.JobLog("p1", "j5"))).GetProperty("data").GetProperty("exception");
        Assert.Equal("System.InvalidOperationException", exception.Str("type"));
        Assert.Equal("The upload failed", exception.Str("message"));
        Assert.Contains("HttpRequestException", exception.Str("stack"));
        Assert.Contains(nameof(An_exception_keeps_its_type_and_loses_its_secrets_in_message_stack_and_inner_exceptions), exception.Str("stack"));
        Assert.DoesNotContain(Token, text);
        Assert.DoesNotContain("pw-5551234567", text);
    }

    [Fact]
    public void Paths_under_the_data_root_are_written_relative_and_weight_paths_as_aliases()
    {
        var models = Path.Combine(_dir.Path, "..", Path.GetFileName(_dir.Path) + "-models");
        var local = Path.Combine(_dir.Path, "local.json");
        File.WriteAllText(local, $"{{ \"weightRoots\": {{ \"models\": \"{Path.GetFullPath(models)}\" }} }}");
        using var pipeline = new PipelineHost(_dir, null, $"JobLogs:LocalConfigPath={local}");
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        using (logger.BeginJobScope("p1", "j6", 1))
            logger.LogInformation("Loaded {Checkpoint}; wrote {Asset}", Path.GetFullPath(models) + "/checkpoints/x.safetensors",
                Path.Combine(_dir.Path, "projects/p1/files/assets/j6/out.png"));
        Assert.Equal("Loaded {models}/checkpoints/x.safetensors; wrote projects/p1/files/assets/j6/out.png",
            Assert.Single(JsonLines.Read(pipeline.JobLog("p1", "j6"))).Str("msg"));
    }

    [Fact]
    public void Secrets_under_provider_named_keys_in_json_text_and_weight_paths_under_no_root_leave_every_part_of_an_entry_and_a_span()
    {
        const string key = "ck-live-7Qm2Vx9Lr4Tz8Wn3", weights = "/home/ada/ComfyUI";
        var request = $"{{\"prompt\": {{\"4\": {{\"inputs\": {{\"ckpt_name\": \"{weights}/models/checkpoints/x.safetensors\"}}}}}}, \"extra_data\": {{\"api_key_comfy_org\": \"{key}\"}}}}";
        using var pipeline = new PipelineHost(_dir);
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        var tally = pipeline.Tally.Watch(new JobKey("p1", "j11", 1));
        using (logger.BeginJobScope("p1", "j11", 1))
        {
            logger.LogWarning("Sending " + request);
            logger.LogWithData(LogLevel.Error, new InvalidOperationException("refused: " + request),
                new Dictionary<string, object?> { ["stdoutTail"] = "printing " + request, ["api_key_openai"] = "sk-not-shaped-0123", ["token_count"] = 77 },
                "Tool failed");
        }
        var text = File.ReadAllText(pipeline.JobLog("p1", "j11"));
        Assert.DoesNotContain(key, text);
        Assert.DoesNotContain(weights, text);
        Assert.DoesNotContain("sk-not-shaped", text);
        var entries = JsonLines.Read(pipeline.JobLog("p1", "j11"));
        Assert.Contains("\"api_key_comfy_org\": \"[REDACTED]\"", entries[0].Str("msg"));
        Assert.Contains("{weights}/checkpoints/x.safetensors", entries[0].Str("msg"));
        var data = entries[1].GetProperty("data");
        Assert.Contains("\"api_key_comfy_org\": \"[REDACTED]\"", data.Str("stdoutTail"));
        Assert.Contains("\"api_key_comfy_org\": \"[REDACTED]\"", data.GetProperty("exception").Str("message"));
        Assert.Equal(Redactor.Mask, data.Str("api_key_openai"));
        Assert.Equal(77, data.GetProperty("token_count").GetInt32());
        Assert.Equal(4, tally.Redactions.Snapshot()[RuleIds.SecretKey]); // the message, the tail, the exception (its text holds its message), the property
        Assert.Equal(3, tally.Redactions.Snapshot()[RuleIds.WeightFile]);

        // A span tag that holds the request: the same scanner.
        using var source = new ActivitySource("JobLogs.Tests.ProviderKeys");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var span = source.StartActivity("POST /prompt")!;
        span.SetTag("joblogs.request", request);
        span.SetTag("api_key_openai", "sk-not-shaped-0123");
        span.Stop();
        new RedactingActivityProcessor(new Redactor(RedactionSettings.None)).OnEnd(span);
        var tags = string.Join("\n", span.TagObjects.Select(t => $"{t.Key}={t.Value}"));
        Assert.DoesNotContain(key, tags);
        Assert.DoesNotContain(weights, tags);
        Assert.Contains("api_key_openai=[REDACTED]", tags);
    }

    [Fact]
    public void The_attempt_tally_counts_what_each_rule_redacted_in_the_attempts_entries()
    {
        using var pipeline = new PipelineHost(_dir);
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        var tally = pipeline.Tally.Watch(new JobKey("p1", "j7", 1));
        using (logger.BeginJobScope("p1", "j7", 1))
        {
            // A template built from text is redacted (and counted) at each occurrence.
            for (var i = 0; i < 2; i++)
                logger.LogWarning("pushing with " + Token);
            logger.LogWarning("password={Pw}", "x-0123456789");
            logger.LogInformation("nothing to see");
        }
        Assert.Equal(new Dictionary<string, int> { ["secret-key"] = 1, ["token-github"] = 2 }, tally.Redactions.Snapshot());
    }

    [Fact]
    public async Task Outgoing_calls_logged_by_HttpClient_never_write_their_credentials()
    {
        const string password = "pw-Lk29vQ7zXm";
        var apiKey = "sk-proj-" + SecretCorpus.Fake(40, 501);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var server = builder.Build();
        // Like a service that echoes the key it was sent, in its error body.
        server.MapGet("/view", (HttpRequest request) => Results.Json(new { error = $"invalid api_key {request.Headers["X-Api-Key"]}" }, statusCode: 401));
        await server.StartAsync();
        var address = new Uri(server.Urls.First());

        var host = Host.CreateApplicationBuilder([$"--JobLogs:DataRoot={_dir.Path}", "--JobLogs:Logging:Override:System.Net.Http.HttpClient=Verbose"]);
        host.AddJobLogsLogging(ServiceIdentity.Worker);
        host.Services.AddHttpClient("comfy");
        using var app = host.Build();
        var http = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("comfy");
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("JobLogs.Worker.ComfyUI");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://ada:{password}@{address.Authority}/view?filename=a.png&token=tk-0123456789");
        request.Headers.Authorization = new("Bearer", Token);
        request.Headers.Add("X-Api-Key", apiKey);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        logger.LogWarning("ComfyUI answered {Status}: {Body}", (int)response.StatusCode, await response.Content.ReadAsStringAsync());
        app.Dispose();

        var text = File.ReadAllText(new DataLayout(_dir.Path).RuntimeLog("worker"));
        Assert.Contains("Sending HTTP request", text); // HttpClient's own entries are there
        Assert.Contains("invalid api_key [REDACTED]", text);
        foreach (var secret in new[] { password, Token, apiKey, "tk-0123456789" })
            Assert.DoesNotContain(secret, text);
    }

    [Fact]
    public void Spans_lose_secrets_in_their_name_tags_and_status_and_carry_the_jobs_ids()
    {
        var redactor = new Redactor(RedactionSettings.None);
        using var source = new ActivitySource("JobLogs.Tests.Spans");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var tags = new JobTagsProcessor();
        var redaction = new RedactingActivityProcessor(redactor);

        using var run = source.StartActivity("run")!;
        JobTags.Stamp(run, "p1", "j8", 2, specId: "s1");
        using var call = source.StartActivity($"GET /view?token={Token}")!;
        tags.OnStart(call);
        call.SetTag("url.full", $"https://ada:pw-0123456789@h/x?token={Token}");
        call.SetTag("http.request.header.authorization", new[] { "Bearer abc" });
        call.SetStatus(ActivityStatusCode.Error, $"denied for {Token}");
        call.Stop();
        redaction.OnEnd(call);

        Assert.Equal("j8", call.GetTagItem("job.id"));
        Assert.Equal("p1", call.GetTagItem("project.id"));
        Assert.Equal(2, call.GetTagItem("job.attempt"));
        Assert.Equal("s1", call.GetTagItem("spec.id"));
        var everything = string.Join("\n", [call.DisplayName, call.StatusDescription, .. call.TagObjects.Select(t => $"{t.Key}={Flat(t.Value)}")]);
        Assert.DoesNotContain(Token, everything);
        Assert.DoesNotContain("pw-0123456789", everything);
        Assert.DoesNotContain("Bearer abc", everything);
        Assert.Contains("url.full=https://[REDACTED]@h/x?token=[REDACTED]", everything);
    }

    [Fact]
    public void A_recorded_exception_is_redacted_before_it_reaches_the_span()
    {
        var redactor = new Redactor(RedactionSettings.None);
        using var activity = new Activity("tool").Start();
        activity.RecordRedactedException(new ArgumentException($"bad key {Token}"), redactor);
        var e = Assert.Single(activity.Events);
        Assert.Equal("exception", e.Name);
        Assert.Equal("System.ArgumentException", e.Tags.Single(t => t.Key == "exception.type").Value);
        Assert.Equal("bad key [REDACTED]", e.Tags.Single(t => t.Key == "exception.message").Value);
        Assert.DoesNotContain(Token, (string)e.Tags.Single(t => t.Key == "exception.stacktrace").Value!);
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal("bad key [REDACTED]", activity.StatusDescription);
    }

    [Fact]
    public void A_clean_event_passes_the_redacting_sink_as_it_is_without_allocating()
    {
        var passed = new List<Serilog.Events.LogEvent>();
        var sink = new RedactingSink(new Redactor(new RedactionSettings([SecretCorpus.ComfyToken], [], _dir.Path)), new JobLogTally(), new Collect(passed));
        var template = new Serilog.Parsing.MessageTemplateParser().Parse("Tool {Tool} exited with code {ExitCode} after {DurationMs} ms");
        var e = new Serilog.Events.LogEvent(DateTimeOffset.UtcNow, Serilog.Events.LogEventLevel.Information, null, template,
        [
            new("Tool", new Serilog.Events.ScalarValue("hello")), new("ExitCode", new Serilog.Events.ScalarValue(0)),
            new("DurationMs", new Serilog.Events.ScalarValue(41L)), new(LogProperties.JobId, new Serilog.Events.ScalarValue("20250101-120000-ab12cd34")),
            new("data.call", new Serilog.Events.DictionaryValue([new(new Serilog.Events.ScalarValue("target"), new Serilog.Events.ScalarValue("tool hello"))])),
        ]);
        for (var i = 0; i < 100; i++)
            sink.Emit(e); // warm up: the template is learned once
        passed.Clear();
        passed.Capacity = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
            sink.Emit(e);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.All(passed, p => Assert.Same(e, p));
    }

    private sealed class Collect(List<Serilog.Events.LogEvent> events) : Serilog.Core.ILogEventSink
    {
        public void Emit(Serilog.Events.LogEvent logEvent) => events.Add(logEvent);
    }

    [Fact]
    public void Serilog_is_the_only_logging_provider_of_a_service()
    {
        var builder = WebApplication.CreateBuilder([$"--JobLogs:DataRoot={_dir.Path}", "--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9"]);
        builder.AddServiceDefaults(ServiceIdentity.Api);
        using var app = builder.Build();
        Assert.Empty(app.Services.GetServices<ILoggerProvider>());
        Assert.Equal("SerilogLoggerFactory", app.Services.GetRequiredService<ILoggerFactory>().GetType().Name);
    }

    private static string? Flat(object? value) => value is string[] texts ? string.Join(",", texts) : value?.ToString();
}
