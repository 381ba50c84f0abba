using System.Text;
using System.Text.Json;
using JobLogs.Jobs;

namespace JobLogs.Tests.Support;

/// <summary>What a user checks on a failed job: the card's stage, where, hint rule, and that "first error" leads to an error.</summary>
public static class FailureAssertions
{
    public static FailureCard AssertFailed(this Job job, DataLayout layout, string stage, string? where, string rule)
    {
        Assert.True(job.Status == JobStatus.Failed, $"Expected failed, got {job.Status.Wire()}: {job.Error?.Summary}");
        return AssertCard(job, layout, stage, where, rule);
    }

    public static FailureCard AssertCard(this Job job, DataLayout layout, string stage, string? where, string rule)
    {
        var card = job.Error ?? throw new Xunit.Sdk.XunitException($"Job {job.Id} has no failure card.");
        Assert.Equal((stage, where, rule), (card.Stage, card.Where, card.Rule));
        Assert.False(string.IsNullOrWhiteSpace(card.Hint), "A card says what to do next.");
        Assert.Equal(job.Id, card.Ids?.JobId);
        Assert.True(card.LogOffset is not null, $"The card of {job.Id} has no logOffset.");
        Assert.Equal("error", EntryAt(layout, job, card.LogOffset.Value).Str("level"));
        return card;
    }

    /// <summary>The job log entry that starts at <paramref name="offset"/>.</summary>
    public static JsonElement EntryAt(DataLayout layout, Job job, long offset)
    {
        var bytes = File.ReadAllBytes(Path.Combine(layout.Root, job.LogPath));
        Assert.True(offset == 0 || bytes[offset - 1] == (byte)'\n', $"Offset {offset} is not the start of a line.");
        var end = Array.IndexOf(bytes, (byte)'\n', (int)offset);
        return JsonDocument.Parse(Encoding.UTF8.GetString(bytes, (int)offset, end - (int)offset)).RootElement.Clone();
    }
}
