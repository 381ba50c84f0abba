using System.Text.RegularExpressions;
using JobLogs.Testing;

namespace JobLogs.Tests.Store;

/// <summary>
/// Everything the Api keeps goes through the store seam: outside the files implementation (Api/Store/Files), no
/// endpoint, hosted service or other Api code opens a file, walks a folder or holds the data layout. A second store
/// (cluster mode) then replaces the files one without any of them changing.
/// </summary>
public sealed partial class StoreSeamTests
{
    [Fact]
    public void No_Api_code_outside_the_files_store_touches_the_data_root()
    {
        var api = Repository.Path("JobLogs.Api");
        var files = Path.Combine(api, "Store", "Files") + Path.DirectorySeparatorChar;
        var sources = Directory.EnumerateFiles(api, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !path.StartsWith(files, StringComparison.Ordinal))
            .ToList();
        Assert.True(sources.Count > 30, $"found only {sources.Count} Api sources under {api}");

        var found = sources
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (path, line, number: i + 1)))
            .Where(l => !l.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && DataRootAccess().IsMatch(l.line))
            .Select(l => $"{Path.GetRelativePath(api, l.path)}:{l.number}: {l.line.Trim()}")
            .ToList();
        Assert.True(found.Count == 0, "Api code outside Store/Files touches files or the data layout:\n" + string.Join("\n", found));
    }

    // File and folder access, raw handles, and the data layout held as a value (its statics JobLogRelative and
    // ProjectFileRelative name the wire's logPath and asset paths, and touch nothing).
    [GeneratedRegex(@"\b(File|Directory|RandomAccess)\.[A-Z]|\b(FileInfo|DirectoryInfo|FileStream|SafeFileHandle|AppendOnlyFile|PhysicalFile)\b|\bDataLayout\s+\w+|\bDataLayout\.(?!(JobLogRelative|ProjectFileRelative)\b)\w+")]
    private static partial Regex DataRootAccess();
}
