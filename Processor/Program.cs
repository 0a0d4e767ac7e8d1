using TwitterBot.Processor.CommandLine;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Extensions;
using TwitterBot.Processor.XAccount;
using TwitterBot.ServiceDefaults;

if (ProcessorCommandLine.IsCommand(args))
{
    return await ProcessorCommandLine.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddTelemetry("twitterbot-processor", ProcessorTelemetry.Name, Telemetry.NpgsqlSource);
builder.AddProcessorOptions();
builder.AddApiClients();
builder.AddAccountReconciliation();
builder.AddConversations();
builder.AddConversationSagas();
builder.AddMessaging();

var app = builder.BuildValidated();

app.MapDefaultHealthEndpoints();

await app.RunAsync();
return 0;

/// <summary>Internal so that specs referencing both services see one <c>Program</c>, the Ingress's.</summary>
internal sealed partial class Program;
