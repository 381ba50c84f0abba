using System.Diagnostics;
using Npgsql;

namespace JobLogs.Testing;

/// <summary>
/// A real PostgreSQL from Debian's <c>postgresql</c> package, started once per test run (<c>initdb</c> and <c>pg_ctl</c> on a
/// temp folder and a free port, <c>fsync=off</c>: for tests only) and stopped when the process exits. As root it runs as
/// the <c>postgres</c> user, since PostgreSQL refuses root. Each test class asks for a database of its own.
/// Missing binaries fail the test with one sentence: cluster mode is never skipped.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);
    private readonly string _folder;
    private readonly string _bin;

    private PostgresServer(string folder, string bin, int port)
    {
        (_folder, _bin, Port) = (folder, bin, port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    public int Port { get; }

    /// <summary>The server of this test run, started on first use.</summary>
    public static Task<PostgresServer> Instance => Shared.Value;

    /// <summary>A connection string to the server's <paramref name="database"/> as its superuser (no password: trust).</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Pooling = true }.ConnectionString;

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin): run `apt-get install -y postgresql` (.ci/run does).");
        var folder = new TempDirectory("postgres").Path;
        var data = Path.Combine(folder, "data");
        if (IsRoot)
            await RunAsync("chown", ["-R", "postgres:postgres", folder], asPostgres: false);
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"], asPostgres: IsRoot);
        var port = FreePort.Next();
        await RunAsync(Path.Combine(bin, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60",
             "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
             "start"], asPostgres: IsRoot);
        return new PostgresServer(folder, bin, port);
    }

    private void Stop()
    {
        try
        {
            RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"], asPostgres: IsRoot).GetAwaiter().GetResult();
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // The server dies with its folder's removal by the OS temp cleaner at worst.
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault()
            : null;

    private static async Task RunAsync(string program, string[] arguments, bool asPostgres)
    {
        var start = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments]) : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await error}{await output}");
    }
}
