using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TwitterBot.Tests.Support;

/// <summary>Keeps every log line a host writes, for specs about what is (and is not) logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Lines { get; } = new();

    public IEnumerable<string> Messages(LogLevel atLeast) => Lines.Where(l => l.Level >= atLeast).Select(l => l.Message);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Lines.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? string.Empty : $" {exception}")));
    }
}
