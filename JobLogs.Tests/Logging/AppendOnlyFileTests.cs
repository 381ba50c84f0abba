using System.Text;
using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.Tests.Logging;

public sealed class AppendOnlyFileTests : IDisposable
{
    private readonly TempDirectory _dir = new("append");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Appends_whole_lines_and_returns_their_offsets()
    {
        var path = _dir.File("a/b/log.jsonl");
        using var file = AppendOnlyFile.Open(path);
        var first = file.AppendAt("first\n"u8);
        var second = file.AppendAt("second line\n"u8);
        Assert.Equal(0, first);
        Assert.Equal(6, second);
        Assert.Equal("first\nsecond line\n", File.ReadAllText(path));
        Assert.Equal(18, file.Length);
    }

    [Fact]
    public void Two_handles_on_one_file_both_append_at_the_end()
    {
        var path = _dir.File("shared.jsonl");
        using var a = AppendOnlyFile.Open(path);
        using var b = AppendOnlyFile.Open(path);
        a.Append("a1\n"u8);
        b.Append("b1\n"u8);
        var offset = a.AppendAt("a2\n"u8);
        Assert.Equal(6, offset);
        Assert.Equal("a1\nb1\na2\n", File.ReadAllText(path));
    }

    [Fact]
    public void A_full_disk_is_an_IOException_not_a_silent_loss()
    {
        using var file = AppendOnlyFile.Open("/dev/full");
        var ex = Assert.Throws<IOException>(() => file.Append(Encoding.UTF8.GetBytes("lost?\n")));
        Assert.Contains("No space left on device", ex.Message);
    }

    [Fact]
    public void A_directory_in_the_place_of_the_log_is_an_IOException()
    {
        var path = _dir.File("is-a-directory.jsonl");
        Directory.CreateDirectory(path);
        Assert.Throws<IOException>(() => AppendOnlyFile.Open(path));
    }
}
