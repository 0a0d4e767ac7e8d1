using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TwitterBot.ServiceDefaults;

/// <summary>
/// Traces, metrics and logs for both services, in one place: OpenTelemetry's hosting package with its ASP.NET
/// Core and HttpClient instrumentation, MassTransit's own source and meter, and the sources and meters a
/// service names (its own, and Npgsql's for the Processor). OTLP export of all three signals only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class Telemetry
{
    /// <summary>Carries message text into spans when true (for debugging only; off by default).</summary>
    public const string IncludeTextKey = "Telemetry:IncludeMessageText";

    /// <summary>Npgsql's own ActivitySource and Meter: its spans carry the SQL text, never parameter values.</summary>
    public const string NpgsqlSource = "Npgsql";

    private const string MassTransitSource = "MassTransit";

    /// <param name="sources">ActivitySources and Meters of this service beyond the frameworks' (same names for both).</param>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder, string serviceName, params string[] sources)
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

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsProbe(context))
                .AddHttpClientInstrumentation()
                .AddSource([MassTransitSource, .. sources]))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter([MassTransitSource, .. sources]));
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Health probes (<c>/health/…</c>) arrive every few seconds and would drown the traces that matter.</summary>
    private static bool IsProbe(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal);
}
