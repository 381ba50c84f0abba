using JobLogs.ServiceDefaults;
using JobLogs.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(ServiceIdentity.Web);
builder.AddWebServices();

var app = builder.Build();

app.MapWeb();

return await app.RunServiceAsync();
