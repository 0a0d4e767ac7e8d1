using System.Text.Json;
using System.Text.Json.Nodes;

namespace TwitterBot.Tests.Ingress;

/// <summary>
/// Seeded random mutations of a JSON document, for the webhook fuzz specs: members deleted, duplicated or
/// swapped, values replaced by other JSON types and by huge or negative numbers, deep nesting, then, at the
/// byte level, truncation, invalid UTF-8 and flipped bytes. The same seed always yields the same body.
/// </summary>
public sealed class JsonMutator(int seed)
{
    private static readonly string[] Replacements =
    [
        "null", "true", "false", "0", "-1", "1.5", "-0", "1e308", "-1e308",
        "9223372036854775807", "9223372036854775808", "18446744073709551616", "-9223372036854775809",
        "123456789012345678901234567890", "\"\"", "\"x\"", "\"-1\"", "\"99999999999999999\"", "\"1e3\"",
        "\"18446744073709551616\"", "\"253402300800000\"", "\" 1\"", "\"\\ud800\"", "\"\\u0000\"", "[]", "{}", "[null]",
        "[1,\"a\",{}]", "{\"a\":{\"b\":[]}}",
    ];

    /// <summary>For the values that carry ids and timestamps: what fails to convert to a 64-bit number or a date.</summary>
    private static readonly string[] NumberReplacements =
    [
        "\"99999999999999999\"", "\"253402300800000\"", "\"-1\"", "\"18446744073709551616\"", "\"1e3\"", "\"0x10\"", "\" 1\"",
        "\"\"", "\"abc\"", "18446744073709551616", "-1", "1.5", "1e20", "null", "true", "{}",
    ];

    private readonly Random _random = new(seed);
    private readonly List<string> _applied = [];

    /// <summary>What was done, for a failure message that can be reproduced from the seed.</summary>
    public string Description => $"seed {seed}: {string.Join(", ", _applied)}";

    public byte[] Mutate(JsonNode sample)
    {
        var intensity = 0.02 + (_random.NextDouble() * 0.15);
        var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true, MaxDepth = 4096 }))
        {
            Write(writer, sample, intensity);
        }

        var bytes = output.ToArray();
        return _random.Next(10) switch
        {
            0 => Truncate(bytes),
            1 => InsertInvalidUtf8(bytes),
            2 => FlipByte(bytes),
            _ => bytes,
        };
    }

    private void Write(Utf8JsonWriter writer, JsonNode? node, double intensity)
    {
        if (_random.NextDouble() < intensity / 2)
        {
            WriteReplacement(writer);
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                var members = obj.ToList();
                if (members.Count > 1 && _random.NextDouble() < intensity)
                {
                    var (i, j) = (_random.Next(members.Count), _random.Next(members.Count));
                    _applied.Add($"swap values of {members[i].Key} and {members[j].Key}");
                    (members[i], members[j]) = (KeyValuePair.Create(members[i].Key, members[j].Value), KeyValuePair.Create(members[j].Key, members[i].Value));
                }

                foreach (var (name, value) in members)
                {
                    var roll = _random.NextDouble();
                    if (roll < intensity / 2)
                    {
                        _applied.Add($"delete {name}");
                        continue;
                    }

                    var copies = roll < intensity ? 2 : 1;
                    if (copies == 2) _applied.Add($"duplicate {name}");
                    for (var copy = 0; copy < copies; copy++)
                    {
                        writer.WritePropertyName(name);
                        Write(writer, value, intensity);
                    }
                }

                writer.WriteEndObject();
                break;

            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    var roll = _random.NextDouble();
                    if (roll < intensity / 2)
                    {
                        _applied.Add("delete an element");
                        continue;
                    }

                    Write(writer, item, intensity);
                    if (roll < intensity)
                    {
                        _applied.Add("duplicate an element");
                        Write(writer, item, intensity);
                    }
                }

                writer.WriteEndArray();
                break;

            case null:
                writer.WriteNullValue();
                break;

            case JsonValue value when value.TryGetValue<string>(out var text) && text.Length > 0 && text.All(char.IsAsciiDigit)
                && _random.NextDouble() < intensity * 2:
                var number = NumberReplacements[_random.Next(NumberReplacements.Length)];
                _applied.Add($"replace {text} by {number}");
                writer.WriteRawValue(number, skipInputValidation: true);
                break;

            default:
                node.WriteTo(writer);
                break;
        }
    }

    private void WriteReplacement(Utf8JsonWriter writer)
    {
        if (_random.Next(12) == 0)
        {
            var depth = _random.Next(2) == 0 ? 70 : 1000;
            _applied.Add($"nest {depth} deep");
            writer.WriteRawValue(new string('[', depth) + new string(']', depth), skipInputValidation: true);
            return;
        }

        var replacement = Replacements[_random.Next(Replacements.Length)];
        _applied.Add($"replace a value by {replacement}");
        writer.WriteRawValue(replacement, skipInputValidation: true);
    }

    private byte[] Truncate(byte[] bytes)
    {
        var at = _random.Next(bytes.Length);
        _applied.Add($"truncate at byte {at}");
        return bytes[..at];
    }

    private byte[] InsertInvalidUtf8(byte[] bytes)
    {
        byte[][] invalid = [[0xFF], [0xC3, 0x28], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]];
        var at = NearAString(bytes);
        var inserted = invalid[_random.Next(invalid.Length)];
        _applied.Add($"insert invalid UTF-8 {Convert.ToHexString(inserted)} at byte {at}");
        return [.. bytes[..at], .. inserted, .. bytes[at..]];
    }

    private byte[] FlipByte(byte[] bytes)
    {
        var at = _random.Next(bytes.Length);
        var flipped = (byte[])bytes.Clone();
        flipped[at] ^= (byte)(1 << _random.Next(8));
        _applied.Add($"flip a bit of byte {at}");
        return flipped;
    }

    /// <summary>Invalid UTF-8 matters most inside a string, where a parser has to transcode it.</summary>
    private int NearAString(byte[] bytes)
    {
        var quotes = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] == (byte)'"').ToList();
        return quotes.Count == 0 ? _random.Next(bytes.Length) : quotes[_random.Next(quotes.Count)] + 1;
    }

    public override string ToString() => Description;

    /// <summary>Every webhook body among the fixtures (other_events.json holds several).</summary>
    public static IReadOnlyList<(string Name, JsonNode Body)> Samples(IEnumerable<string> files) =>
        files.SelectMany(file => JsonNode.Parse(Support.XSamples.Text(file)) switch
            {
                JsonArray bodies => bodies.Select((body, i) => ($"{file}[{i}]", body!)),
                var body => [(file, body!)],
            })
            .ToList();
}
