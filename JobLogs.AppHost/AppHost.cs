using JobLogs.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var settings = AppHostSettings.From(builder);

var api = builder.AddProject<Projects.JobLogs_Api>("api")
    .WithJobLogsSettings(settings)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.JobLogs_Worker>("worker")
    .WithJobLogsSettings(settings)
    .WithPythonTools(settings)
    .WithReference(api)
    .WaitFor(api)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.JobLogs_Web>("web")
    .WithJobLogsSettings(settings)
    .WithDashboardUrl(builder)
    .WithReference(api)
    .WaitFor(api)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.Build().Run();
