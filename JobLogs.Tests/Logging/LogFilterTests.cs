using System.Text;
using JobLogs.Api.Logs;

namespace JobLogs.Tests.Logging;

/// <summary>Server-side filters: each field judged as a reader means it; malformed lines are never dropped by field filters.</summary>
public sealed class LogFilterTests
{
    private const string Error = """{"ts":"2026-11-28T10:00:00Z","level":"error","component":"python","attempt":2,"msg":"Tool fail exited with code 1","data":{"stderrTail":"Traceback …\nValueError: invalid literal","exitCode":17,"call":{"target":"tool fail"}}}""";
    private const string Info = """{"ts":"2026-11-28T10:00:00Z","level":"info","component":"worker","attempt":1,"msg":"Attempt 1 started"}""";
    private const string Malformed = "Traceback (most recent call last): not json";

    private static bool Shown(LogFilter filter, string line) => filter.Judge(Encoding.UTF8.GetBytes(line), cut: false).Shown;

    private static LogFilter Filter(string[]? levels = null, string[]? components = null, int[]? attempts = null, string? text = null) =>
        new(levels?.ToHashSet(), components?.ToHashSet(), attempts?.ToHashSet(), text);

    [Fact]
    public void No_filter_shows_everything_and_tells_entries_from_malformed_lines()
    {
        Assert.Equal(new LogFilter.Verdict(true, true), LogFilter.None.Judge(Encoding.UTF8.GetBytes(Info), false));
        Assert.Equal(new LogFilter.Verdict(true, false), LogFilter.None.Judge(Encoding.UTF8.GetBytes(Malformed), false));
        Assert.Equal(new LogFilter.Verdict(true, false), LogFilter.None.Judge(Encoding.UTF8.GetBytes("[1,2]"), false));
        Assert.Equal(new LogFilter.Verdict(true, false), LogFilter.None.Judge(Encoding.UTF8.GetBytes("{\"a\":1} {\"b\":2}"), false));
        Assert.Equal(new LogFilter.Verdict(true, false), LogFilter.None.Judge(Encoding.UTF8.GetBytes(Info), cut: true));
    }

    [Fact]
    public void A_minimum_level_keeps_that_level_and_above()
    {
        var warnAndUp = Filter(levels: [.. LogFilter.AtLeast("warn")]);
        Assert.True(Shown(warnAndUp, Error));
        Assert.False(Shown(warnAndUp, Info));
        Assert.True(Shown(Filter(levels: ["info"]), Info));
        Assert.False(Shown(Filter(levels: ["info"]), Error));
    }

    [Fact]
    public void Components_and_attempts_are_sets()
    {
        Assert.True(Shown(Filter(components: ["python", "comfyui"]), Error));
        Assert.False(Shown(Filter(components: ["python", "comfyui"]), Info));
        Assert.True(Shown(Filter(attempts: [2]), Error));
        Assert.False(Shown(Filter(attempts: [2]), Info));
    }

    [Theory]
    [InlineData("EXITED WITH", true)]          // the message, case-insensitively
    [InlineData("valueerror: invalid", true)]  // a string in data, unescaped
    [InlineData("tool fail", true)]            // a string nested in data
    [InlineData("17", true)]                   // a number in data
    [InlineData("stderrTail", false)]          // names are not text
    [InlineData("python", false)]              // nor the fields filters have their own parameters for
    public void Text_is_looked_for_in_the_message_and_in_data(string text, bool found) =>
        Assert.Equal(found, Shown(Filter(text: text), Error));

    [Fact]
    public void Malformed_lines_pass_field_filters_and_are_searched_as_raw_text()
    {
        Assert.True(Shown(Filter(levels: ["error"], components: ["ui"], attempts: [9]), Malformed));
        Assert.True(Shown(Filter(text: "most recent"), Malformed));
        Assert.False(Shown(Filter(text: "nowhere"), Malformed));
    }
}
