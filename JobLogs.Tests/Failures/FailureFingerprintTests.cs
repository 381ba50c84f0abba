using JobLogs.Api.Failures;
using JobLogs.Jobs;

namespace JobLogs.Tests.Failures;

/// <summary>Failures "like this": what varies between runs (ids, numbers, paths, values) does not split a group; what failed where does.</summary>
public sealed class FailureFingerprintTests
{
    [Theory]
    [InlineData("Job 20261128-191219-0f562e64 failed after 1532 ms", "Job <job> failed after # ms")]
    [InlineData("prompt 4b5c6d7e-1111-4222-8333-944455556666 lost", "prompt <uuid> lost")]
    [InlineData("Model in folder 'checkpoints' with filename 'sdxl.safetensors' not found.", "Model in folder '…' with filename '…' not found.")]
    [InlineData("cannot open /srv/data/projects/p1/files/in.png: denied", "cannot open <path>: denied")]
    [InlineData("hash a3f9c2e1b7d44e0f mismatch", "hash <hex> mismatch")]
    [InlineData("Allocation on device \nThis error means   you ran out", "Allocation on device This error means you ran out")]
    public void Normalizing_replaces_what_varies_between_runs(string message, string pattern) =>
        Assert.Equal(pattern, FailureFingerprint.Normalize(message));

    private static FailureCard Card(string message, string where, string rule = "python-exception") => new()
    {
        Message = message, Type = "ValueError", Component = "python", Stage = "tool", Where = where, Rule = rule,
    };

    [Fact]
    public void The_same_failure_at_another_line_or_with_another_value_has_the_same_fingerprint()
    {
        var one = FailureFingerprint.Of(Card("invalid literal for int() with base 10: 'seven'", "fail.py:11"));
        Assert.Equal(one, FailureFingerprint.Of(Card("invalid literal for int() with base 10: 'eleven'", "fail.py:12")));
        Assert.NotEqual(one, FailureFingerprint.Of(Card("invalid literal for int() with base 10: 'seven'", "other.py:11")));
        Assert.NotEqual(one, FailureFingerprint.Of(Card("invalid literal for int() with base 10: 'seven'", "fail.py:11", rule: "non-zero-exit")));
        Assert.NotEqual(one, FailureFingerprint.Of(Card("division by zero", "fail.py:11")));
    }
}
