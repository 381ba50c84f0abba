using System.Diagnostics;
using System.Text.Json;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Tests.Support;
using Microsoft.Extensions.Logging;

namespace JobLogs.Tests.Logging;

/// <summary>The logging pipeline of DESIGN.md, Writing logs, end to end through ILogger on a real data root.</summary>
public sealed class PipelineTests : IDisposable
{
    private static readonly ActivitySource Source = new("JobLogs.Tests.Pipeline");
    private readonly TempDirectory _dir = new("pipeline");

    static PipelineTests() => ActivitySource.AddActivityListener(new ActivityListener
    {
        ShouldListenTo = s => s.Name == Source.Name,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    });

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_job_entry_goes_to_the_job_log_with_its_ids_trace_and_the_schema()
    {
        using var pipeline = new PipelineHost(_dir);
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        using (var activity = Source.StartActivity("run"))
        using (logger.BeginJobScope("p1", "j1", 2))
        {
            logger.LogInformation("Tool {Tool} exited with code {ExitCode}", "hello", 0);
            var entry = Assert.Single(JsonLines.Read(pipeline.JobLog("p1", "j1")));
            JsonLines.AssertValid(Schemas.JobLogEntry, entry);
            Assert.Equal("info", entry.Str("level"));
            Assert.Equal("worker", entry.Str("component"));
            Assert.Equal("p1", entry.Str("projectId"));
            Assert.Equal("j1", entry.Str("jobId"));
            Assert.Equal(2, entry.GetProperty("attempt").GetInt32());
            Assert.Equal("Tool hello exited with code 0", entry.Str("msg"));
            Assert.Equal("hello", entry.GetProperty("data").GetProperty("tool").GetString());
            Assert.Equal(0, entry.GetProperty("data").GetProperty("exitCode").GetInt32());
            Assert.Equal(activity!.TraceId.ToHexString(), entry.Str("traceId"));
            Assert.Equal(activity.SpanId.ToHexString(), entry.Str("spanId"));
            Assert.True(DateTimeOffset.TryParse(entry.Str("ts"), out var ts) && ts.Offset == TimeSpan.Zero);
        }
        Assert.False(File.Exists(pipeline.RuntimeLog()) && File.ReadAllText(pipeline.RuntimeLog()).Contains("\"j1\""),
            "An info job entry stays out of the service log.");
    }

    [Fact]
    public void Job_entries_at_warn_and_above_also_go_to_the_service_log()
    {
        using var pipeline = new PipelineHost(_dir);
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        using (logger.BeginJobScope("p1", "j2", 1))
        {
            logger.LogInformation("fine");
            logger.LogWarning("careful");
            logger.LogError("broken");
        }
        Assert.Equal(["fine", "careful", "broken"], JsonLines.Read(pipeline.JobLog("p1", "j2")).Select(e => e.Str("msg")));
        var runtime = JsonLines.Read(pipeline.RuntimeLog()).Where(e => e.Str("jobId") == "j2").ToList();
        Assert.Equal(["careful", "broken"], runtime.Select(e => e.Str("msg")));
        Assert.All(runtime, e => JsonLines.AssertValid(Schemas.JobLogEntry, e));
    }

    [Fact]
    public void Framework_categories_stay_in_the_service_log_even_inside_a_job_scope()
    {
        using var pipeline = new PipelineHost(_dir);
        var framework = pipeline.Logger("System.Net.Http.HttpClient.api.LogicalHandler");
        using (framework.BeginJobScope("p1", "j3", 1))
            framework.LogWarning("Request to {Url} failed", "http://api/x");
        Assert.False(File.Exists(pipeline.JobLog("p1", "j3")));
        var entry = Assert.Single(JsonLines.Read(pipeline.RuntimeLog()), e => e.Str("msg")!.StartsWith("Request to"));
        JsonLines.AssertValid(Schemas.LogEntry, entry);
        Assert.Equal("j3", entry.Str("jobId"));
    }

    [Fact]
    public void Data_holds_only_what_the_code_named_not_ambient_scope_properties()
    {
        using var pipeline = new PipelineHost(_dir);
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = "r-1", ["ConnectionId"] = "c-1" }))
        using (logger.BeginJobScope("p1", "j4", 1))
            logger.LogWithData(LogLevel.Error, null, new Dictionary<string, object?> { ["stderrTail"] = "Traceback ...\nValueError: x", ["call"] = new { target = "tool fail", op = "run", status = "exit 1" } },
                "Tool {Tool} failed", "fail");
        var entry = Assert.Single(JsonLines.Read(pipeline.JobLog("p1", "j4")));
        JsonLines.AssertValid(Schemas.JobLogEntry, entry);
        var data = entry.GetProperty("data");
        Assert.Equal(["call", "stderrTail", "tool"], data.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("Traceback ...\nValueError: x", data.GetProperty("stderrTail").GetString());
        Assert.Equal("tool fail", data.GetProperty("call").GetProperty("target").GetString());
    }

    [Fact]
    public void A_data_key_named_on_purpose_wins_over_the_messages_property_of_the_same_name()
    {
        using var pipeline = new PipelineHost(_dir);
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        using (logger.BeginJobScope("p1", "j5", 1))
            logger.LogWithData(LogLevel.Information, null, new Dictionary<string, object?> { ["durationMs"] = 1234 },
                "Tool {Tool} took {DurationMs} ms", "hello", "about a second");
        var entry = Assert.Single(JsonLines.Read(pipeline.JobLog("p1", "j5")));
        Assert.Equal("Tool hello took about a second ms", entry.Str("msg"));
        var data = entry.GetProperty("data");
        Assert.Equal(["durationMs", "tool"], data.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(1234, data.GetProperty("durationMs").GetInt32());
    }

    [Fact]
    public void An_exception_is_written_as_type_message_and_stack()
    {
        using var pipeline = new PipelineHost(_dir);
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        Exception thrown;
        try
        {
            throw new InvalidOperationException("the thing broke");
        }
        catch (Exception ex)
        {
            thrown = ex;
        }
        using (logger.BeginJobScope("p1", "j5", 1))
            logger.LogError(thrown, "Run failed");
        var exception = Assert.Single(JsonLines.Read(pipeline.JobLog("p1", "j5"))).GetProperty("data").GetProperty("exception");
        Assert.Equal("System.InvalidOperationException", exception.Str("type"));
        Assert.Equal("the thing broke", exception.Str("message"));
        Assert.Contains(nameof(An_exception_is_written_as_type_message_and_stack), exception.Str("stack"));
    }

    [Fact]
    public void Past_its_cap_a_job_log_gets_one_marker_and_drops_the_rest()
    {
        using var pipeline = new PipelineHost(_dir, null, "JobLogs:JobLogCapBytes=4096");
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        var key = new JobKey("p1", "j6", 1);
        var tally = pipeline.Tally.Watch(key);
        using (logger.BeginJobScope("p1", "j6", 1))
            for (var i = 0; i < 100; i++)
                logger.LogInformation("Entry {N} with some padding to fill the log quickly", i);
        var entries = JsonLines.Read(pipeline.JobLog("p1", "j6"));
        var marker = Assert.Single(entries, e => e.Str("msg")!.Contains("reached its cap"));
        Assert.Equal("warn", marker.Str("level"));
        Assert.Equal(marker.ToString(), entries[^1].ToString());
        Assert.InRange(new FileInfo(pipeline.JobLog("p1", "j6")).Length, 3000, 4096 + marker.ToString().Length + 1);
        Assert.Equal(100 - (entries.Count - 1), tally.Dropped);
    }

    [Fact]
    public void A_job_log_that_cannot_be_written_is_reported_to_the_runner_and_the_service_log()
    {
        using var pipeline = new PipelineHost(_dir);
        Directory.CreateDirectory(pipeline.JobLog("p1", "j7")); // a directory where the log file should be
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        var tally = pipeline.Tally.Watch(new JobKey("p1", "j7", 1));
        using (logger.BeginJobScope("p1", "j7", 1))
        {
            logger.LogInformation("first");
            logger.LogInformation("second");
        }
        Assert.NotNull(tally.WriteFailure);
        var failure = Assert.Single(JsonLines.Read(pipeline.RuntimeLog()), e => e.Str("msg")!.StartsWith("Cannot write the job log"));
        Assert.Equal("error", failure.Str("level"));
        Assert.Contains("projects/p1/files/logs/jobs/j7.jsonl", failure.Str("msg"));
        Assert.DoesNotContain(pipeline.DataRoot, failure.ToString());
    }

    [Fact]
    public void A_full_disk_under_a_job_log_is_reported_not_swallowed()
    {
        using var pipeline = new PipelineHost(_dir);
        var path = pipeline.JobLog("p1", "j8");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, "/dev/full");
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        var tally = pipeline.Tally.Watch(new JobKey("p1", "j8", 1));
        using (logger.BeginJobScope("p1", "j8", 1))
            logger.LogInformation("this cannot land");
        Assert.IsType<IOException>(tally.WriteFailure);
        Assert.Contains("No space left on device", tally.WriteFailure!.Message);
    }

    [Fact]
    public void A_configured_secret_never_reaches_the_file()
    {
        const string secret = "s3cr3t-Value-0123456789";
        using var pipeline = new PipelineHost(_dir, null, $"ComfyUI:Token={secret}");
        var logger = pipeline.Logger("JobLogs.Worker.Jobs");
        using (logger.BeginJobScope("p1", "j9", 1))
            logger.LogWarning("Calling http://comfy/prompt?token=" + secret + " with {Header}", "Bearer " + secret);
        var text = File.ReadAllText(pipeline.JobLog("p1", "j9")) + File.ReadAllText(pipeline.RuntimeLog());
        Assert.DoesNotContain(secret, text);
        Assert.Contains("[REDACTED]", text);
    }

    [Fact]
    public void Entries_not_tied_to_a_job_go_to_the_service_log_in_the_same_shape()
    {
        using var pipeline = new PipelineHost(_dir, JobLogs.ServiceDefaults.ServiceIdentity.Api);
        pipeline.Logger("JobLogs.Api.Startup").LogInformation("Loaded {Count} records", 3);
        var entry = Assert.Single(JsonLines.Read(pipeline.RuntimeLog("backend")), e => e.Str("msg") == "Loaded 3 records");
        JsonLines.AssertValid(Schemas.LogEntry, entry);
        Assert.Equal("backend", entry.Str("component"));
        Assert.False(entry.TryGetProperty("jobId", out _));
        Assert.Equal(JsonValueKind.Number, entry.GetProperty("data").GetProperty("count").ValueKind);
    }
}
