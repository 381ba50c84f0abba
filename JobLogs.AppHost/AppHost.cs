using JobLogs.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var settings = AppHostSettings.From(builder);

var comfyUI = builder.AddComfyUI(settings);

var api = builder.AddProject<Projects.JobLogs_Api>("api")
    .WithJobLogsSettings(settings)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.JobLogs_Worker>("worker")
    .WithJobLogsSettings(settings)
    .WithPythonTools(settings)
    .WithComfyUI(comfyUI)
    .WithReference(api)
    .WaitFor(api)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.JobLogs_Web>("web")
    .WithJobLogsSettings(settings)
    .WithReference(api)
    .WaitFor(api)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.Build().Run();
