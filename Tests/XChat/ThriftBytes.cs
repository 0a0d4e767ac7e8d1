using System.Buffers.Binary;
using System.Text;

namespace TwitterBot.Tests.XChat;

/// <summary>
/// Hand-written Thrift binary for specs that need an event the protocol would never seal (a field left out,
/// a downgraded version): independent of the production codec on purpose.
/// </summary>
internal sealed class ThriftBytes
{
    private readonly List<byte> bytes = [];

    public ThriftBytes String(short id, string value) => Binary(id, Encoding.UTF8.GetBytes(value));

    public ThriftBytes Binary(short id, byte[] value)
    {
        Header(11, id);
        Int32(value.Length);
        bytes.AddRange(value);
        return this;
    }

    public ThriftBytes Stop()
    {
        bytes.Add(0);
        return this;
    }

    public string ToBase64() => Convert.ToBase64String([.. bytes]);

    /// <summary>The value of a top-level string/binary field of a flat struct (fields of other types skipped).</summary>
    public static byte[] ReadBinaryField(byte[] structBytes, short wanted)
    {
        var at = 0;
        while (structBytes[at] != 0)
        {
            var type = structBytes[at];
            var id = BinaryPrimitives.ReadInt16BigEndian(structBytes.AsSpan(at + 1));
            at += 3;
            switch (type)
            {
                case 11:
                    var length = BinaryPrimitives.ReadInt32BigEndian(structBytes.AsSpan(at));
                    if (id == wanted)
                        return structBytes[(at + 4)..(at + 4 + length)];
                    at += 4 + length;
                    break;
                case 2:
                    at += 1;
                    break;
                case 10:
                    at += 8;
                    break;
                default:
                    throw new InvalidOperationException($"Thrift type {type} is not expected in this flat struct.");
            }
        }
        throw new InvalidOperationException($"Field {wanted} is not in the struct.");
    }

    public static string ReadStringField(byte[] structBytes, short wanted) => Encoding.UTF8.GetString(ReadBinaryField(structBytes, wanted));

    private void Header(byte type, short id)
    {
        bytes.Add(type);
        bytes.Add((byte)(id >> 8));
        bytes.Add((byte)id);
    }

    private void Int32(int value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, value);
        bytes.AddRange(buffer.ToArray());
    }
}
