using JobLogs.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var settings = AppHostSettings.From(builder);
var secrets = builder.AddJobSecrets();

var comfyUI = builder.AddComfyUI(settings);

var api = builder.AddProject<Projects.JobLogs_Api>("api")
    .WithJobLogsSettings(settings)
    .WithJobSecrets(secrets)
    .WithComfyUIAddress(comfyUI)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.JobLogs_Worker>("worker")
    .WithJobLogsSettings(settings)
    .WithJobSecrets(secrets)
    .WithPythonTools(settings)
    .WithComfyUI(comfyUI)
    .WithReference(api)
    .WaitFor(api)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.JobLogs_Web>("web")
    .WithJobLogsSettings(settings)
    .WithJobSecrets(secrets)
    .WithDashboardUrl(builder)
    .WithReference(api)
    .WaitFor(api)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.Build().Run();
