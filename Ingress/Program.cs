using TwitterBot.Ingress.Endpoints;
using TwitterBot.Ingress.Extensions;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddTelemetry("twitterbot-ingress", IngressMetrics.MeterName);
builder.AddWebhookOptions();
builder.AddWebhookReceiver();
builder.AddMessaging();

var app = builder.BuildValidated();

app.UseWebhookAdmission();
app.MapWebhookEndpoints();
app.MapDefaultHealthEndpoints();

app.Run();

/// <summary>The Ingress entry point; public so that specs can host it with WebApplicationFactory.</summary>
public partial class Program;
