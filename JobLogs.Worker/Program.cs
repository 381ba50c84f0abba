using JobLogs.ServiceDefaults;
using JobLogs.Worker.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(ServiceIdentity.Worker);
builder.AddWorkerServices();

var app = builder.Build();

return await app.RunServiceAsync(app => app.MapDefaultEndpoints());
