using TwitterBot.Processor.XChat.Protocol;

namespace TwitterBot.Tests.XChat;

/// <summary>
/// Events cut short at every length and mutated at random (seeded) are decoded and, when they decode, opened as
/// the bot would: the outcome is always a result or an <see cref="XChatProtocolException"/>, never another
/// exception; and a mutated message that still opens says exactly what the original said (signature and MAC hold).
/// </summary>
public static class XChatHostileInput_Specs
{
    private const int MutationsPerVector = 2000;

    private static readonly Lazy<XChatConversationKey> Key = new(XChatVectors.ConversationKey);

    /// <summary>Decodes and opens; returns the kind and what opened, or throws what the protocol threw.</summary>
    private static string? DecodeAndOpen(string encoded)
    {
        var decoded = XChatEvents.Decode(encoded);
        switch (decoded)
        {
            case XChatMessageEvent message:
                var opened = XChatProtocol.OpenMessage(message, XChatVectors.Lookup(Key.Value), [XChatVectors.SenderServedKeys()]);
                return "message:" + opened.Text + "|" + opened.QuotedPreview?.Status + "|" + opened.QuotedPreview?.Text;
            case XChatKeyChangeEvent keyChange:
                using (var recipient = XChatVectors.Recipient())
                    return "key:" + Convert.ToBase64String(XChatProtocol.OpenKeyChange(keyChange, recipient, XChatVectors.SenderId, [XChatVectors.SenderServedKeys()]).Key);
            default:
                return decoded.GetType().Name;
        }
    }

    /// <summary>The outcome of hostile input: "ok:" and what opened, or "refused:" and the reason; anything else throws.</summary>
    private static string Outcome(string encoded)
    {
        try
        {
            return "ok:" + DecodeAndOpen(encoded);
        }
        catch (XChatProtocolException exception)
        {
            return "refused:" + exception.Reason;
        }
    }

    public class When_an_event_is_cut_short
    {
        [TestCaseSource(typeof(XChatVectors), nameof(XChatVectors.EventNames))]
        public void Should_refuse_every_truncation_cleanly(string name)
        {
            var bytes = Convert.FromBase64String(XChatVectors.Get(name));
            var outcomes = new List<string>();

            for (var length = 0; length < bytes.Length; length++)
                outcomes.Add(Outcome(Convert.ToBase64String(bytes[..length])));

            Assert.That(outcomes, Has.All.StartWith("refused:"));
            Assert.That(Outcome(Convert.ToBase64String(bytes)), Does.StartWith("ok:"));
        }

        [TestCaseSource(typeof(XChatVectors), nameof(XChatVectors.EventNames))]
        public void Should_refuse_every_truncation_of_its_base64_text_cleanly(string name)
        {
            var text = XChatVectors.Get(name);
            // Unpadded base64 is accepted, so cutting only the padding leaves the same event.
            var unpadded = text.TrimEnd('=').Length;

            var outcomes = Enumerable.Range(0, unpadded).Select(length => Outcome(text[..length])).ToList();

            Assert.That(outcomes, Has.All.StartWith("refused:"));
        }
    }

    public class When_an_event_is_mutated_at_random
    {
        [TestCaseSource(typeof(XChatVectors), nameof(XChatVectors.EventNames))]
        public void Should_refuse_it_cleanly_or_open_exactly_the_original(string name)
        {
            var original = Convert.FromBase64String(XChatVectors.Get(name));
            var expected = Outcome(XChatVectors.Get(name));
            var random = new Random(Array.IndexOf(XChatVectors.EventNames, name) + 15);
            var kind = expected.IndexOf(':', 3) is var colon and > 0 ? expected[..(colon + 1)] : expected;
            var opened = 0;
            var refused = 0;
            var otherKind = 0;

            for (var i = 0; i < MutationsPerVector; i++)
            {
                var outcome = Outcome(Convert.ToBase64String(Mutate(original, random)));
                if (outcome.StartsWith("refused:", StringComparison.Ordinal))
                {
                    refused++;
                    continue;
                }
                if (!outcome.StartsWith(kind, StringComparison.Ordinal))
                {
                    // A mutated variant id turns it into an event kind that carries nothing (typing, …).
                    otherKind++;
                    continue;
                }
                opened++;
                // Unsigned envelope fields (sequence id, timestamps) may change; what opens may not.
                Assert.That(outcome, Is.EqualTo(expected), $"mutation {i} opened something else");
            }

            TestContext.Out.WriteLine($"{name}: {refused} refused, {opened} opened as the original, {otherKind} other kinds");
            Assert.That(refused, Is.GreaterThan(MutationsPerVector / 4), $"opened {opened}, other kinds {otherKind}");
        }

        private static byte[] Mutate(byte[] original, Random random)
        {
            var bytes = new List<byte>(original);
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(6))
                {
                    case 0:
                        bytes[at] ^= (byte)(1 << random.Next(8));
                        break;
                    case 1:
                        bytes[at] = (byte)random.Next(256);
                        break;
                    case 2:
                        bytes.Insert(at, (byte)random.Next(256));
                        break;
                    case 3:
                        bytes.RemoveAt(at);
                        break;
                    case 4:
                        // A length or count turned huge or negative.
                        bytes[at] = random.Next(2) == 0 ? (byte)0xff : (byte)0x7f;
                        break;
                    default:
                        var length = Math.Min(random.Next(1, 16), bytes.Count - at);
                        bytes.InsertRange(at, bytes.GetRange(at, length));
                        break;
                }
                if (bytes.Count == 0)
                    bytes.Add(0);
            }
            return [.. bytes];
        }
    }

    public class When_the_input_is_not_an_event_at_all
    {
        [TestCase("")]
        [TestCase("====")]
        [TestCase("AA=A")]
        [TestCase("A")]
        [TestCase("  CwABAAAAATE=")]
        [TestCase("CwABAAAAATE=\n")]
        [TestCase("-_-_")]
        [TestCase("DAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAHDAAH")]
        public void Should_refuse_it_as_malformed(string input)
        {
            Assert.That(Outcome(input), Is.EqualTo("refused:Malformed"));
        }

        [Test]
        public void Should_refuse_an_oversized_event_before_decoding_it()
        {
            Assert.That(Outcome(new string('A', XChatEvents.MaxEncodedLength + 4)), Is.EqualTo("refused:Malformed"));
        }

        [Test]
        public void Should_refuse_random_bytes_cleanly()
        {
            var random = new Random(15);
            var outcomes = Enumerable.Range(0, 2000).Select(_ =>
            {
                var bytes = new byte[random.Next(1, 300)];
                random.NextBytes(bytes);
                return Outcome(Convert.ToBase64String(bytes));
            }).ToList();

            Assert.That(outcomes, Has.None.StartWith("ok:message:").And.None.StartWith("ok:key:"));
        }
    }
}
