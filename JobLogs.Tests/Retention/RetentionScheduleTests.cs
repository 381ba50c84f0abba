using JobLogs.Tests.Support;

namespace JobLogs.Tests.Retention;

/// <summary>The cleanup runs on its schedule (<c>JobLogs:Retention:Interval</c>), with nobody calling the admin route.</summary>
public sealed class RetentionScheduleTests(RetentionScheduleTests.ScheduledApi api) : IClassFixture<RetentionScheduleTests.ScheduledApi>
{
    public sealed class ScheduledApi : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["JobLogs:Retention:RuntimeLogMaxBytes"] = "4096",
            ["JobLogs:Retention:Interval"] = "00:00:01",
        };
    }

    [Fact]
    public async Task A_service_log_past_its_size_is_rotated_on_schedule()
    {
        using var http = api.CreateClient();
        var dir = api.Layout.RuntimeLogsDirectory;
        // Each refused request writes one warn line to backend.jsonl; the schedule rotates it once it passes 4096 bytes.
        await Eventually.True(async () =>
        {
            using var _ = await http.GetAsync("/api/projects/scheduled/jobs?take=0");
            return Directory.Exists(dir) && Directory.GetFiles(dir, "backend.*.jsonl").Length > 0;
        }, TimeSpan.FromSeconds(30), "a rotated backend log without a call to /api/admin/retention");
    }
}
