using JobLogs.ServiceDefaults;
using JobLogs.Worker.Extensions;

if (HealthProbe.IsRequested(args))
    return await HealthProbe.RunAsync();

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(ServiceIdentity.Worker);
builder.AddWorkerServices();

var app = builder.Build();

return await app.RunServiceAsync(app => app.MapDefaultEndpoints());
