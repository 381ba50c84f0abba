using System.Text.Json.Serialization;

namespace JobLogs.Jobs;

/// <summary>
/// A failed job's answer to: what failed (<see cref="Message"/>, <see cref="Type"/>), where (<see cref="Component"/>,
/// <see cref="Stage"/>, <see cref="Where"/>), for which ids (<see cref="Ids"/>), and what to do next (<see cref="Hint"/>).
/// </summary>
public sealed record FailureCard
{
    public required string Message { get; init; }
    public required string Type { get; init; }
    public required string Component { get; init; }
    public required string Stage { get; init; }
    public string? Where { get; init; }
    public FailureIds? Ids { get; init; }
    public string? Hint { get; init; }
    public string? Rule { get; init; }
    public long? LogOffset { get; init; }

    /// <summary>The card's first line, for lists.</summary>
    [JsonIgnore]
    public string Summary => Where is null ? Message : $"{Message} ({Where})";
}

public sealed record FailureIds
{
    public string? ProjectId { get; init; }
    public string? JobId { get; init; }
    public string? SpecId { get; init; }
    public string? AssetId { get; init; }
    public string? PromptId { get; init; }
    public int? Attempt { get; init; }
}
