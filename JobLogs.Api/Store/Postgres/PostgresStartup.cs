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
            LogSchema(logger, PostgresJobStore.Where(database), applied.Count == 0 ? "current" : $"brought up to version {applied[^1]}");
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return $"cannot use ConnectionStrings:joblogs ({PostgresJobStore.Where(database)}): {ex.Message.TrimEnd('.')}.";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema of {Database}: {State}")]
    private static partial void LogSchema(ILogger logger, string database, string state);
}
