using System.CommandLine;
using System.Globalization;
using TwitterBot.Processor.CommandLine;

namespace TwitterBot.Processor.DeadLetters;

/// <summary>The <c>dead-letters</c> verb: <c>list</c> and <c>requeue</c> the Processor's <c>_error</c> queues.</summary>
public static class DeadLetterCommands
{
    public static IEnumerable<Command> Create(VerbRunner runner)
    {
        var queues = new Option<string[]>("--queue") { Description = "A queue (or prefix) whose _error queue to read, e.g. direct-message-received-03; all when omitted.", AllowMultipleArgumentsPerToken = true };
        var exception = new Option<string?>("--exception") { Description = "Only faults whose exception type contains this text." };
        var olderThan = new Option<TimeSpan?>("--older-than") { Description = "Only faults at least this old, e.g. 00:30:00." };
        var max = new Option<int?>("--max") { Description = "At most this many messages." };
        var body = new Option<bool>("--body") { Description = "Print each message's body too (it may hold what users wrote)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would be re-queued, move nothing." };

        DeadLetterFilter Filter(VerbContext verb) =>
            new(verb.Value(queues) ?? [], verb.Value(exception), verb.Value(olderThan), verb.Value(max));

        var list = runner.Runs(
            new Command("list", "List (and with --body, inspect) dead letters without removing them.") { queues, exception, olderThan, max, body },
            async (verb, cancellationToken) =>
            {
                var letters = await verb.Get<DeadLetterQueues>().ListAsync(Filter(verb), cancellationToken);
                foreach (var letter in letters)
                {
                    await verb.Output.WriteLineAsync($"{letter.ErrorQueue}\t{letter.MessageId}\t{letter.FaultedAt:O}\t{letter.ExceptionType}\t{letter.ExceptionMessage}");
                    if (verb.Value(body))
                    {
                        await verb.Output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(letter.Body.Span));
                    }
                }

                await verb.Output.WriteLineAsync($"{letters.Count} dead letters");
                return ExitCodes.Done;
            });

        var requeue = runner.Runs(
            new Command("requeue", "Move dead letters back to the queue they failed on (after fixing the cause).") { queues, exception, olderThan, max, dryRun },
            async (verb, cancellationToken) =>
            {
                var deadLetters = verb.Get<DeadLetterQueues>();
                var dry = verb.Value(dryRun);
                var letters = dry ? await deadLetters.ListAsync(Filter(verb), cancellationToken) : await deadLetters.RequeueAsync(Filter(verb), cancellationToken);
                foreach (var group in letters.GroupBy(l => (l.ErrorQueue, l.SourceQueue)))
                {
                    await verb.Output.WriteLineAsync($"{(dry ? "would move" : "moved")} {group.Count()} from {group.Key.ErrorQueue} to {group.Key.SourceQueue}");
                }

                await verb.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{(dry ? "would move" : "moved")} {letters.Count} dead letters"));
                return ExitCodes.Done;
            });

        return [new Command("dead-letters", "Inspect and replay messages in the Processor's _error queues.") { list, requeue }];
    }
}
