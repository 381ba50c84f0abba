using JobLogs.ServiceDefaults;
using JobLogs.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(ServiceIdentity.Web);
builder.AddWebServices();

var app = builder.Build();

return await app.RunServiceAsync(app => app.MapWeb());
