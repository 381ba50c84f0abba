using JobLogs.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var settings = AppHostSettings.From(builder);
var secrets = builder.AddJobSecrets();
var access = builder.AddAccessSecrets();

var comfyUI = builder.AddComfyUI(settings);
var store = builder.AddStore(settings);

var api = builder.AddProject<Projects.JobLogs_Api>("api")
    .WithSharedSettings(builder, settings, secrets)
    .WithStore(store, settings)
    .WithComfyUIAddress(comfyUI)
    .WithApiKeys(access, "Worker", "Web", "Admin")
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.JobLogs_Worker>("worker")
    .WithSharedSettings(builder, settings, secrets)
    .WithDataRootRedacted(settings)
    .WithPythonTools(settings)
    .WithComfyUI(comfyUI)
    .WithApiKeys(access, "Worker")
    .WithReference(api)
    .WaitFor(api)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.JobLogs_Web>("web")
    .WithSharedSettings(builder, settings, secrets)
    .WithDataRootRedacted(settings)
    .WithDashboardUrl(builder)
    .WithApiKeys(access, "Web")
    .WithWebPassword(access)
    .WithReference(api)
    .WaitFor(api)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.Build().Run();
