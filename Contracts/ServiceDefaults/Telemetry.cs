using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TwitterBot.ServiceDefaults;

/// <summary>
/// Traces, metrics and logs for both services, in one place. The OpenTelemetry SDK is wired by hand (its
/// hosting package is not in the feed) to the Activities and Meters that ASP.NET Core, HttpClient and
/// MassTransit emit themselves, plus our own. OTLP export only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class Telemetry
{
    /// <summary>Carries message text into spans when true (for debugging only; off by default).</summary>
    public const string IncludeTextKey = "Telemetry:IncludeMessageText";

    private static readonly string[] FrameworkSources = ["Microsoft.AspNetCore", "System.Net.Http", "MassTransit"];
    private static readonly string[] FrameworkMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "MassTransit"];

    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder, string serviceName, params string[] ownSources)
    {
        builder.Logging.Configure(logging => logging.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (!builder.Environment.IsDevelopment())
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        var exportOtlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddSingleton(services =>
        {
            var tracing = Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(resource => resource.AddService(serviceName))
                .AddSource([.. FrameworkSources, .. ownSources]);
            foreach (var processor in services.GetServices<BaseProcessor<Activity>>())
            {
                tracing.AddProcessor(processor);
            }

            return (exportOtlp ? tracing.AddOtlpExporter() : tracing).Build();
        });
        builder.Services.AddSingleton(services =>
        {
            var metrics = Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(resource => resource.AddService(serviceName))
                .AddMeter([.. FrameworkMeters, .. ownSources]);
            return (exportOtlp ? metrics.AddOtlpExporter() : metrics).Build();
        });
        builder.Services.AddHostedService<TelemetryListener>();
        return builder;
    }

    /// <summary>Creates the providers as the host starts (they listen from then on) and flushes them as it stops.</summary>
    private sealed class TelemetryListener(TracerProvider tracing, MeterProvider metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tracing.ForceFlush(5000);
            metrics.ForceFlush(5000);
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Names and tags ASP.NET Core's server spans the way OpenTelemetry's conventions do (its instrumentation
    /// package is not in the feed), and drops the spans of health probes, which arrive every few seconds.
    /// Call after routing, so that the route is known.
    /// </summary>
    public static IApplicationBuilder UseRequestTelemetry(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var span = Activity.Current;
            if (span is null || span.Kind != ActivityKind.Server)
            {
                await next(context);
                return;
            }

            if (context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
            {
                span.IsAllDataRequested = false;
                span.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
                await next(context);
                return;
            }

            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            span.DisplayName = route is null ? context.Request.Method : $"{context.Request.Method} {route}";
            span.SetTag("http.request.method", context.Request.Method);
            span.SetTag("url.path", context.Request.Path.Value);
            span.SetTag("http.route", route);
            await next(context);
            span.SetTag("http.response.status_code", context.Response.StatusCode);
        });
}
