using System.Diagnostics;
using System.Diagnostics.Metrics;
using TwitterBot.Contracts;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>The human in the loop, on the Processor's meter (<c>TwitterBot.Processor</c>): echoes, hand-overs, DMs held.</summary>
public sealed class HumanHandOverTelemetry
{
    private readonly Counter<long> _echoes;
    private readonly Counter<long> _handedOver;
    private readonly Counter<long> _held;

    public HumanHandOverTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(ProcessorTelemetry.Name);
        _echoes = meter.CreateCounter<long>("twitterbot.processor.echoes", "{message}", "The bot accounts' own DMs echoed back by X, by kind: own (the bot's sends), human (a person at the brand in the X app), ignored (the human pause is off).");
        _handedOver = meter.CreateCounter<long>("twitterbot.processor.handed_over", "{conversation}", "Conversations handed over to a human, by source: x_app (the bot pauses), gateway.");
        _held = meter.CreateCounter<long>("twitterbot.processor.held", "{message}", "Users' DMs recorded but not answered because a person at the brand holds the conversation.");
    }

    public void Echo(EchoKind kind) => _echoes.Add(1, new TagList { { "kind", kind.ToString().ToLowerInvariant() } });

    public void HandedOver(HandOverSource source) =>
        _handedOver.Add(1, new TagList { { "source", source == HandOverSource.XApp ? "x_app" : "gateway" } });

    public void Held() => _held.Add(1);
}
