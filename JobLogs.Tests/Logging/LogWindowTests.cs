using System.Text;
using System.Text.Json;
using JobLogs.Api.Logs;
using JobLogs.Api.Store.Files;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Logging;

/// <summary>The tail reader on real files: whole lines only, offsets that page, nothing lost at the edges.</summary>
public sealed class LogWindowTests : IDisposable
{
    private readonly TempDirectory _dir = new("tail");
    private readonly WindowVerdicts _verdicts = new();

    public void Dispose()
    {
        _verdicts.Dispose();
        _dir.Dispose();
    }

    private static string Entry(int n, string msg = "entry") =>
        $$"""{"ts":"2026-11-28T10:00:00.0000000+00:00","level":"info","component":"worker","projectId":"p","jobId":"j","attempt":1,"msg":"{{msg}} {{n}}"}""";

    private string Write(params string[] lines) => WriteRaw(string.Concat(lines.Select(l => l + "\n")));

    private string WriteRaw(string text)
    {
        var path = _dir.File($"{Guid.NewGuid():N}.jsonl");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        return path;
    }

    private static LogWindow Tail(string path, int bytes)
    {
        using var file = LogFile.Open(path);
        return file.Before(file.Length, bytes);
    }

    private JsonElement Response(LogWindow window)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            TailJson.Write(writer, window, LogFilter.None, _verdicts);
        var response = JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
        JsonLines.AssertValid(Schemas.TailResponse, response);
        return response;
    }

    private static List<string> Messages(JsonElement response) =>
        [.. response.GetProperty("entries").EnumerateArray().Select(e => e.TryGetProperty("entry", out var entry) ? entry.GetProperty("msg").GetString()! : "RAW:" + e.GetProperty("raw").GetString())];

    [Fact]
    public void A_missing_file_is_an_empty_window()
    {
        using var window = Tail(_dir.File("nothing-here.jsonl"), 80_000);
        var response = Response(window);
        Assert.Equal(0, response.GetProperty("size").GetInt64());
        Assert.Empty(response.GetProperty("entries").EnumerateArray());
        Assert.False(response.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public void An_empty_file_is_an_empty_window()
    {
        using var window = Tail(WriteRaw(""), 80_000);
        Assert.Empty(window.Lines);
        Assert.Equal(0, window.End);
    }

    [Fact]
    public void A_tail_larger_than_the_file_returns_every_line_from_offset_zero()
    {
        var path = Write(Entry(1), Entry(2), Entry(3));
        using var window = Tail(path, 1_000_000);
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
        using var window = Tail(path, 2 * lineLength + 10); // starts 10 bytes before the end of line 1
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
        using var window = Tail(path, 2 * lineLength);
        Assert.Equal(["entry 2", "entry 3"], Messages(Response(window)));
        Assert.Equal(lineLength, window.Start);
    }

    [Fact]
    public void A_torn_last_line_still_being_written_is_left_out()
    {
        var torn = Entry(3)[..40];
        var path = WriteRaw(Entry(1) + "\n" + Entry(2) + "\n" + torn);
        using var window = Tail(path, 80_000);
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
        using var window = Tail(path, tailBytes);
        var response = Response(window);
        Assert.Equal([$"{text} 5"], Messages(response));
        Assert.DoesNotContain('\uFFFD', response.ToString());
    }

    [Fact]
    public void A_line_longer_than_the_window_comes_back_cut_and_flagged()
    {
        var longLine = Entry(2, new string('y', 5000));
        var path = Write(Entry(1), longLine);
        using var window = Tail(path, 1000);
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
        using var window = Tail(path, 80_000);
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
        using var window = Tail(path, 4096);
        Assert.InRange(window.End - window.Start, 1, 4096);
        Assert.Equal(new FileInfo(path).Length, window.End);
    }

    /// <summary>Every line of the file once, in order, read window after window in one direction.</summary>
    private static List<(long Offset, string Text, bool Cut)> PageForward(string path, int windowBytes)
    {
        using var file = LogFile.Open(path);
        var lines = new List<(long, string, bool)>();
        long position = 0;
        while (position < file.Length)
        {
            using var window = file.After(position, windowBytes);
            Assert.True(window.End > position, $"Paging forward stopped at {position}.");
            lines.AddRange(window.Lines.Select(l => (l.Offset, Encoding.UTF8.GetString(window.Bytes(l)), l.Cut)));
            position = window.End;
        }
        return lines;
    }

    private static List<(long Offset, string Text, bool Cut)> PageBackward(string path, int windowBytes)
    {
        using var file = LogFile.Open(path);
        var pages = new List<List<(long, string, bool)>>();
        var position = file.Length;
        while (position > 0)
        {
            using var window = file.Before(position, windowBytes);
            Assert.True(window.Start < position, $"Paging backward stopped at {position}.");
            pages.Add([.. window.Lines.Select(l => (l.Offset, Encoding.UTF8.GetString(window.Bytes(l)), l.Cut))]);
            position = window.Start;
        }
        pages.Reverse();
        return [.. pages.SelectMany(p => p)];
    }

    [Fact]
    public void Paging_forward_and_backward_returns_every_line_once_in_order()
    {
        var lines = Enumerable.Range(1, 300).Select(i => i % 37 == 0 ? $"not json {i}" : Entry(i, new string('m', i % 50))).ToArray();
        var path = Write(lines);
        var starts = new List<long>();
        long at = 0;
        foreach (var line in lines)
        {
            starts.Add(at);
            at += Encoding.UTF8.GetByteCount(line) + 1;
        }
        var expected = lines.Select((l, i) => (starts[i], l, false)).ToList();
        foreach (var windowBytes in new[] { 300, 1000, 4096, 1_000_000 })
        {
            Assert.Equal(expected, PageForward(path, windowBytes));
            Assert.Equal(expected, PageBackward(path, windowBytes));
        }
    }

    [Fact]
    public void A_line_longer_than_the_window_comes_back_cut_once_in_each_direction_and_paging_moves_on()
    {
        var longLine = Entry(2, new string('y', 5000));
        var path = Write(Entry(1), longLine, Entry(3));
        foreach (var lines in new[] { PageForward(path, 1000), PageBackward(path, 1000) })
        {
            Assert.Equal(3, lines.Count);
            Assert.Equal((Entry(1), false), (lines[0].Text, lines[0].Cut));
            Assert.True(lines[1].Cut);
            Assert.True(lines[1].Text.Length < longLine.Length);
            Assert.Equal((Entry(3), false), (lines[2].Text, lines[2].Cut));
        }
    }

    [Fact]
    public void Reading_forward_from_inside_a_line_starts_at_the_next_line()
    {
        var path = Write(Entry(1), Entry(2), Entry(3));
        using var file = LogFile.Open(path);
        using var window = file.After(5, 80_000);
        Assert.Equal(["entry 2", "entry 3"], Messages(Response(window)));
        Assert.Equal(Entry(1).Length + 1, window.Start);
        Assert.Equal(file.Length, window.End);
    }

    [Fact]
    public void Reading_forward_stops_before_a_torn_last_line_and_finds_it_once_it_is_whole()
    {
        var path = WriteRaw(Entry(1) + "\n" + Entry(2)[..30]);
        using var file = LogFile.Open(path);
        using (var window = file.After(0, 80_000))
        {
            Assert.Equal(["entry 1"], Messages(Response(window)));
            Assert.Equal(Entry(1).Length + 1, window.End);
        }
        using (var window = file.After(Entry(1).Length + 1, 80_000))
        {
            Assert.Empty(window.Lines);
            Assert.Equal(Entry(1).Length + 1, window.End); // the next poll starts there again
        }
        File.AppendAllText(path, Entry(2)[30..] + "\n");
        using (var window = file.After(Entry(1).Length + 1, 80_000))
            Assert.Equal(["entry 2"], Messages(Response(window)));
    }

    [Fact]
    public void Each_line_knows_where_the_next_one_starts()
    {
        var path = Write(Entry(1), Entry(2));
        using var file = LogFile.Open(path);
        using var window = file.After(0, 80_000);
        Assert.Equal(window.Lines[1].Offset, window.Lines[0].Next);
        Assert.Equal(file.Length, window.Lines[1].Next);
    }

    [Fact]
    public void Windows_in_the_middle_of_a_large_file_cost_their_size()
    {
        var path = _dir.File("big-middle.jsonl");
        using (var stream = File.Create(path))
        {
            var line = Encoding.UTF8.GetBytes(Entry(0) + "\n");
            for (var i = 0; i < 200_000; i++) stream.Write(line);
        }
        using var file = LogFile.Open(path);
        var middle = file.Length / 2;
        using (var forward = file.After(middle, 4096))
            Assert.InRange(forward.End - middle, 1, 4096);
        using (var backward = file.Before(middle, 4096))
            Assert.InRange(middle - backward.Start, 1, 4096);
    }

    [Fact]
    public void A_window_read_again_flags_the_same_malformed_lines()
    {
        var path = Write(Entry(1), "not json {", Entry(3));
        using var window = Tail(path, 80_000);
        using var sameWindow = Tail(path, 80_000);
        var first = Response(window);
        var again = Response(sameWindow);
        Assert.Equal(["entry 1", "RAW:not json {", "entry 3"], Messages(first));
        Assert.Equal(first.GetRawText(), again.GetRawText());
    }

    [Fact]
    public void A_line_changed_in_place_after_a_read_is_judged_again()
    {
        // Verdicts are remembered by the window's bytes: a line overwritten with garbage of the same length (a disk
        // error, a hand edit) is a different window, never one that was found whole before.
        var path = Write(Entry(1), Entry(2), Entry(3));
        using (var before = Tail(path, 80_000))
            Assert.Equal(["entry 1", "entry 2", "entry 3"], Messages(Response(before)));
        var second = Entry(2);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.Position = Encoding.UTF8.GetByteCount(Entry(1)) + 1;
            stream.Write(Encoding.UTF8.GetBytes(new string('#', second.Length)));
        }
        using var after = Tail(path, 80_000);
        Assert.Equal(["entry 1", "RAW:" + new string('#', second.Length), "entry 3"], Messages(Response(after)));
    }
}
