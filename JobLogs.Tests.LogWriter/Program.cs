// Usage: JobLogs.Tests.LogWriter <pipeline|plain> <dataRoot> <projectId> <jobId> <writerName> <count> [<batch> <pauseMs>]
// Prints "ready" once set up, then waits for a line on stdin before writing, so every process starts writing at once.
// Every 10th entry carries a 5 KB payload: lines over 4 KB are where naive appends tear. With batch and pauseMs, the
// pipeline writer pauses after every batch of entries, so readers catch up with it again and again while it writes.
using System.Text.Json;
using JobLogs;
using JobLogs.ServiceDefaults;
using JobLogs.ServiceDefaults.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var (mode, dataRoot, projectId, jobId, writer, count) = (args[0], args[1], args[2], args[3], args[4], int.Parse(args[5]));
var (batch, pauseMs) = args.Length > 7 ? (int.Parse(args[6]), int.Parse(args[7])) : (count, 0);
var payload = new string('x', 5000);

if (mode == "plain")
{
    // The naive way: .NET's FileMode.Append (no O_APPEND on Unix). Kept here, in the test, as evidence only.
    var path = new DataLayout(dataRoot).JobLog(projectId, jobId);
    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
    Console.WriteLine("ready");
    Console.ReadLine();
    for (var i = 0; i < count; i++)
    {
        var line = JsonSerializer.Serialize(new
        {
            ts = DateTimeOffset.UtcNow, level = "info", component = "worker", projectId, jobId, attempt = 1, msg = "entry",
            data = new { writer, seq = i, payload = i % 10 == 0 ? payload : "" },
        }) + "\n";
        stream.Write(System.Text.Encoding.UTF8.GetBytes(line));
        stream.Flush();
    }
    return;
}

var builder = Host.CreateApplicationBuilder(["--JobLogs:DataRoot=" + dataRoot]);
builder.AddJobLogsLogging(ServiceIdentity.Worker);
using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("JobLogs.Tests.LogWriter");
using (logger.BeginJobScope(projectId, jobId, 1))
{
    Console.WriteLine("ready");
    Console.ReadLine();
    for (var i = 0; i < count; i++)
    {
        logger.LogInformation("Entry {Seq} from {Writer} {Payload}", i, writer, i % 10 == 0 ? payload : "");
        if (pauseMs > 0 && (i + 1) % batch == 0)
            Thread.Sleep(pauseMs); // pacing the producer, not synchronising with anyone
    }
}
