using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Extensions;
using TwitterBot.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddTelemetry("twitterbot-processor", ProcessorTelemetry.Name);
builder.AddProcessorOptions();
builder.AddApiClients();
builder.AddConversations();
builder.AddMessaging();

var app = builder.BuildValidated();

app.UseRequestTelemetry();
app.MapDefaultHealthEndpoints();

app.Run();

/// <summary>Internal so that specs referencing both services see one <c>Program</c>, the Ingress's.</summary>
internal sealed partial class Program;
