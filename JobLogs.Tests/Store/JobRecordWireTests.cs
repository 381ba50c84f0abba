using System.Reflection;
using System.Text.Json;
using JobLogs.Api.Jobs;
using JobLogs.Jobs;

namespace JobLogs.Tests.Store;

/// <summary>The stored record and the wire job are kept apart by one rule (<see cref="JobRecord.ToWire"/>), and cannot drift.</summary>
public sealed class JobRecordWireTests
{
    [Fact]
    public void Every_field_of_the_wire_job_is_a_field_of_the_record()
    {
        var record = typeof(JobRecord).GetProperties().Select(p => p.Name).ToHashSet();
        var missing = typeof(Job).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Where(name => !record.Contains(name)).ToList();
        Assert.True(missing.Count == 0, $"The record has no field for the wire job's {string.Join(", ", missing)}: ToWire would leave it empty.");
    }

    [Fact]
    public void The_wire_job_carries_the_record_without_what_only_the_Api_keeps()
    {
        var at = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var job = StoredJobs.Finished(StoredJobs.New("p1", at, specId: "spec-1", assetId: "asset-1"), JobStatus.Failed, at.AddMinutes(1)) with
        {
            Attempts = [new AttemptRecord(1, "trace", at, at.AddMinutes(1), JobStatus.Failed, "w-1", new LogCounts(2, 1), LeaseHash: "hash-of-the-lease", SpanId: "span")],
            Lease = new LeaseRecord("the-lease-token", "w-1", at.AddMinutes(2)),
            Counts = new LogCounts(2, 1),
            Redactions = new Dictionary<string, int> { ["bearer"] = 1 },
        };

        var wire = job.ToWire();
        var text = JsonSerializer.Serialize(wire, Json.Options);

        Assert.Equal((job.Id, "spec-1", "asset-1", JobStatus.Failed, "It broke."), (wire.Id, wire.SpecId, wire.AssetId, wire.Status, wire.Error?.Message));
        Assert.Equal(new JobAttempt(1, "trace", at, at.AddMinutes(1), JobStatus.Failed, "w-1"), wire.Attempts.Single() with { Redactions = null });
        Assert.Equal(new LeaseInfo("w-1", at.AddMinutes(2)), wire.Lease);
        Assert.Equal((new LogCounts(2, 1), 1), (wire.Counts, wire.Redactions!["bearer"]));
        Assert.DoesNotContain("the-lease-token", text);
        Assert.DoesNotContain("hash-of-the-lease", text);
        Assert.DoesNotContain("span", text);
    }
}
