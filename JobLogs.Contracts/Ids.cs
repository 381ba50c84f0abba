using System.Diagnostics.CodeAnalysis;

namespace JobLogs;

/// <summary>Project, job, spec and asset ids: <c>^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$</c>, so an id is always one safe path segment.</summary>
public static class Ids
{
    public const string Pattern = "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$";

    /// <summary>True when <paramref name="id"/> matches <see cref="Pattern"/>; checked on every log event, so by hand.</summary>
    public static bool IsValid([NotNullWhen(true)] string? id)
    {
        if (id is not { Length: > 0 and <= 64 } || !char.IsAsciiLetterOrDigit(id[0]))
            return false;
        foreach (var c in id)
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
                return false;
        return true;
    }

    /// <summary>
    /// A process's name: a worker's id (<c>JobLogs:Worker:WorkerId</c>) or a replica's instance (<c>JobLogs:Instance</c>),
    /// which job records, claims and runtime entries carry.
    /// </summary>
    public const string InstancePattern = "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$";

    /// <summary>True when <paramref name="instance"/> matches <see cref="InstancePattern"/>.</summary>
    public static bool IsInstance([NotNullWhen(true)] string? instance)
    {
        if (instance is not { Length: > 0 and <= 128 } || !char.IsAsciiLetterOrDigit(instance[0]))
            return false;
        foreach (var c in instance)
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '.' and not ':' and not '-')
                return false;
        return true;
    }

    /// <summary>A sentence saying why <paramref name="id"/> is not a valid id of the given kind, or null when it is valid.</summary>
    public static string? Problem(string kind, string? id) => id switch
    {
        null or "" => $"The {kind} is missing.",
        { Length: > 64 } => $"The {kind} is {id.Length} characters long; at most 64 are allowed.",
        _ when IsValid(id) => null,
        _ => $"The {kind} '{Printable(id)}' is not valid: use 1 to 64 letters, digits, '-' or '_', starting with a letter or digit.",
    };

    /// <summary>A new job id: sortable by creation time, unique without coordination.</summary>
    public static string NewJobId(DateTimeOffset now) =>
        $"{now.UtcDateTime:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 4)}";

    // Ids are echoed in error messages: keep control characters and very long input out of them.
    private static string Printable(string id)
    {
        var shown = id.Length > 80 ? id[..80] + "…" : id;
        return string.Concat(shown.Select(c => char.IsControl(c) ? '?' : c));
    }
}
