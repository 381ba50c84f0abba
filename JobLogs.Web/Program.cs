using JobLogs.ServiceDefaults;
using JobLogs.Web.Extensions;

if (HealthProbe.IsRequested(args))
    return await HealthProbe.RunAsync();

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(ServiceIdentity.Web);
builder.AddWebServices();

var app = builder.Build();

return await app.RunServiceAsync(app => app.MapWeb());
