using TwitterBot.Processor.Extensions;
using TwitterBot.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddProcessorOptions();
builder.AddApiClients();
builder.AddMessaging();

var app = builder.BuildValidated();

app.MapDefaultHealthEndpoints();

app.Run();
