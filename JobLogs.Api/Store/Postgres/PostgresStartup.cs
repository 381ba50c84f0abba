using JobLogs.ServiceDefaults;
using Npgsql;

namespace JobLogs.Api.Store.Postgres;

/// <summary>
/// Before a replica serves: PostgreSQL answers and its schema is current (PostgresSchema, applied here under its lock).
/// A database that cannot be reached stops the Api with one sentence naming the server and database, never the
/// password (the connection string is described from its host, port and database alone).
/// </summary>
internal sealed partial class PostgresStartup(NpgsqlDataSource database, ILogger<PostgresStartup> logger) : IStartupCheck
{
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var applied = await PostgresSchema.ApplyAsync(database, cancellationToken);
            LogSchema(logger, Describe(database), applied.Count == 0 ? "current" : $"brought up to version {applied[^1]}");
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return $"cannot use the PostgreSQL of ConnectionStrings:joblogs ({Describe(database)}): {ex.Message.TrimEnd('.')}.";
        }
    }

    /// <summary>Where the data lives, as it may be shown: host, port and database, no credentials.</summary>
    public static string Describe(NpgsqlDataSource database)
    {
        var settings = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        return $"database {settings.Database ?? settings.Username} on {settings.Host}:{settings.Port}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL {Database}: schema {State}")]
    private static partial void LogSchema(ILogger logger, string database, string state);
}
