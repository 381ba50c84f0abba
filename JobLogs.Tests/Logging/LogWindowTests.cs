using System.Text;
using System.Text.Json;
using JobLogs.Api.Logs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Logging;

/// <summary>The tail reader on real files: whole lines only, offsets that page, nothing lost at the edges.</summary>
public sealed class LogWindowTests : IDisposable
{
    private readonly TempDirectory _dir = new("tail");

    public void Dispose() => _dir.Dispose();

    private static string Entry(int n, string msg = "entry") =>
        $$"""{"ts":"2026-11-28T10:00:00.0000000+00:00","level":"info","component":"worker","projectId":"p","jobId":"j","attempt":1,"msg":"{{msg}} {{n}}"}""";

    private string Write(params string[] lines) => WriteRaw(string.Concat(lines.Select(l => l + "\n")));

    private string WriteRaw(string text)
    {
        var path = _dir.File($"{Guid.NewGuid():N}.jsonl");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        return path;
    }

    private static JsonElement Response(LogWindow window)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            TailResult.Write(writer, window);
        var response = JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
        JsonLines.AssertValid(Schemas.TailResponse, response);
        return response;
    }

    private static List<string> Messages(JsonElement response) =>
        [.. response.GetProperty("entries").EnumerateArray().Select(e => e.TryGetProperty("entry", out var entry) ? entry.GetProperty("msg").GetString()! : "RAW:" + e.GetProperty("raw").GetString())];

    [Fact]
    public void A_missing_file_is_an_empty_window()
    {
        using var window = LogWindow.Tail(_dir.File("nothing-here.jsonl"), 80_000);
        var response = Response(window);
        Assert.Equal(0, response.GetProperty("size").GetInt64());
        Assert.Empty(response.GetProperty("entries").EnumerateArray());
        Assert.False(response.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public void An_empty_file_is_an_empty_window()
    {
        using var window = LogWindow.Tail(WriteRaw(""), 80_000);
        Assert.Empty(window.Lines);
        Assert.Equal(0, window.End);
    }

    [Fact]
    public void A_tail_larger_than_the_file_returns_every_line_from_offset_zero()
    {
        var path = Write(Entry(1), Entry(2), Entry(3));
        using var window = LogWindow.Tail(path, 1_000_000);
        var response = Response(window);
        Assert.Equal(["entry 1", "entry 2", "entry 3"], Messages(response));
        Assert.Equal(0, response.GetProperty("start").GetInt64());
        Assert.Equal(new FileInfo(path).Length, response.GetProperty("end").GetInt64());
        Assert.Equal(new FileInfo(path).Length, response.GetProperty("size").GetInt64());
        Assert.False(response.GetProperty("truncated").GetBoolean());
        var offsets = response.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("offset").GetInt64()).ToList();
        Assert.Equal([0, Entry(1).Length + 1, 2 * (Entry(1).Length + 1)], offsets);
    }

    [Fact]
    public void A_partial_first_line_is_left_out_and_start_is_the_next_line()
    {
        var path = Write(Entry(1), Entry(2), Entry(3));
        var lineLength = Entry(1).Length + 1;
        using var window = LogWindow.Tail(path, 2 * lineLength + 10); // starts 10 bytes before the end of line 1
        var response = Response(window);
        Assert.Equal(["entry 2", "entry 3"], Messages(response));
        Assert.Equal(lineLength, response.GetProperty("start").GetInt64());
        Assert.True(response.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public void A_window_that_starts_exactly_at_a_line_keeps_that_line()
    {
        var path = Write(Entry(1), Entry(2), Entry(3));
        var lineLength = Entry(1).Length + 1;
        using var window = LogWindow.Tail(path, 2 * lineLength);
        Assert.Equal(["entry 2", "entry 3"], Messages(Response(window)));
        Assert.Equal(lineLength, window.Start);
    }

    [Fact]
    public void A_torn_last_line_still_being_written_is_left_out()
    {
        var torn = Entry(3)[..40];
        var path = WriteRaw(Entry(1) + "\n" + Entry(2) + "\n" + torn);
        using var window = LogWindow.Tail(path, 80_000);
        var response = Response(window);
        Assert.Equal(["entry 1", "entry 2"], Messages(response));
        Assert.Equal(2 * (Entry(1).Length + 1), response.GetProperty("end").GetInt64());
        Assert.Equal(new FileInfo(path).Length, response.GetProperty("size").GetInt64());
    }

    [Fact]
    public void A_cut_inside_a_multi_byte_character_never_returns_broken_text()
    {
        const string text = "naïve café – 日本語 😀";
        var lines = Enumerable.Range(1, 5).Select(i => Entry(i, text)).ToArray();
        var path = Write(lines);
        var bytes = File.ReadAllBytes(path);
        var emoji = Encoding.UTF8.GetBytes("😀");
        var emojiAt = bytes.AsSpan().LastIndexOf(emoji.AsSpan()) - (Encoding.UTF8.GetByteCount(lines[4]) + 1);
        // Start the window inside the 4-byte emoji of line 4: that line is partial and must be left out.
        var tailBytes = bytes.Length - (emojiAt + 2);
        using var window = LogWindow.Tail(path, tailBytes);
        var response = Response(window);
        Assert.Equal([$"{text} 5"], Messages(response));
        Assert.DoesNotContain('\uFFFD', response.ToString());
    }

    [Fact]
    public void A_line_longer_than_the_window_comes_back_cut_and_flagged()
    {
        var longLine = Entry(2, new string('y', 5000));
        var path = Write(Entry(1), longLine);
        using var window = LogWindow.Tail(path, 1000);
        var response = Response(window);
        var entry = Assert.Single(response.GetProperty("entries").EnumerateArray());
        Assert.True(entry.GetProperty("cut").GetBoolean());
        Assert.True(entry.GetProperty("malformed").GetBoolean());
        Assert.EndsWith("\"}", entry.GetProperty("raw").GetString());
        Assert.Equal(new FileInfo(path).Length, response.GetProperty("end").GetInt64());
        Assert.True(response.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public void Malformed_lines_are_returned_flagged_between_good_ones()
    {
        var path = Write(Entry(1), "this is not json {", "[1,2,3]", Entry(4));
        using var window = LogWindow.Tail(path, 80_000);
        var response = Response(window);
        Assert.Equal(["entry 1", "RAW:this is not json {", "RAW:[1,2,3]", "entry 4"], Messages(response));
    }

    [Fact]
    public void The_cost_is_the_window_not_the_file()
    {
        var path = _dir.File("big.jsonl");
        using (var stream = File.Create(path))
        {
            var line = Encoding.UTF8.GetBytes(Entry(0) + "\n");
            for (var i = 0; i < 200_000; i++) stream.Write(line);
        }
        using var window = LogWindow.Tail(path, 4096);
        Assert.InRange(window.End - window.Start, 1, 4096);
        Assert.Equal(new FileInfo(path).Length, window.End);
    }
}
