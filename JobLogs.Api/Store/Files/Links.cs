namespace JobLogs.Api.Store.Files;

/// <summary>Symbolic links under the data root: never followed, since they could point anywhere.</summary>
internal static class Links
{
    /// <summary>True when <paramref name="file"/> or a folder between it and <paramref name="folder"/> (not included) is a link.</summary>
    public static bool Between(string folder, string file)
    {
        for (var current = file; current.Length > folder.Length; current = Path.GetDirectoryName(current)!)
            if (new FileInfo(current).LinkTarget is not null)
                return true;
        return false;
    }
}
