using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace TwitterBot.Processor.XChat.Protocol.Thrift;

/// <summary>Thrift binary protocol type ids (the few this codec meets).</summary>
internal enum ThriftType : byte
{
    Stop = 0,
    Bool = 2,
    Byte = 3,
    Double = 4,
    I16 = 6,
    I32 = 8,
    I64 = 10,
    String = 11,
    Struct = 12,
    Map = 13,
    Set = 14,
    List = 15,
}

/// <summary>Reads the field <paramref name="id"/> of <paramref name="type"/> into <paramref name="target"/>; false: not one it knows.</summary>
internal delegate bool FieldReader<in T>(ref ThriftReader reader, ThriftType type, short id, T target);

/// <summary>Reads one struct.</summary>
internal delegate T StructReader<out T>(ref ThriftReader reader);

/// <summary>
/// A bounded reader of Thrift's binary protocol (TBinaryProtocol, no message header) over one buffer.
/// Every length is checked against what is left and against a cap, nesting is capped, strings are strict
/// UTF-8: anything else throws <see cref="XChatProtocolException"/> with <see cref="XChatRejection.Malformed"/>.
/// </summary>
internal ref struct ThriftReader
{
    /// <summary>Deepest struct/list nesting accepted (a reply embeds a whole event: about 10 levels are used).</summary>
    public const int MaxDepth = 24;

    /// <summary>Most elements in one list, set or map.</summary>
    public const int MaxElements = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> buffer;
    private int position;
    private int depth;

    public ThriftReader(ReadOnlySpan<byte> buffer)
    {
        this.buffer = buffer;
        position = 0;
        depth = 0;
    }

    public readonly int Position => position;

    public readonly bool AtEnd => position == buffer.Length;

    /// <summary>Enters a struct; pair with <see cref="LeaveStruct"/>.</summary>
    public void EnterStruct()
    {
        if (++depth > MaxDepth)
            throw Malformed("nesting too deep");
    }

    public void LeaveStruct() => depth--;

    /// <summary>
    /// Reads a struct's fields into <paramref name="target"/>: <paramref name="field"/> reads the ones it knows (true),
    /// every other field is skipped.
    /// </summary>
    public T ReadStruct<T>(T target, FieldReader<T> field)
    {
        EnterStruct();
        while (true)
        {
            var (type, id) = ReadFieldBegin();
            if (type == ThriftType.Stop)
                break;
            if (!field(ref this, type, id, target))
                Skip(type);
        }

        LeaveStruct();
        return target;
    }

    /// <summary>Reads a list whose struct elements <paramref name="element"/> reads into <paramref name="into"/> (others skipped).</summary>
    public void ReadStructList<T>(List<T> into, StructReader<T> element)
    {
        EnterStruct();
        var (elementType, count) = ReadListBegin();
        for (var i = 0; i < count; i++)
        {
            if (elementType == ThriftType.Struct)
                into.Add(element(ref this));
            else
                Skip(elementType);
        }

        LeaveStruct();
    }

    /// <summary>Reads a field header; <see cref="ThriftType.Stop"/> ends the struct.</summary>
    public (ThriftType Type, short Id) ReadFieldBegin()
    {
        var type = (ThriftType)ReadByte();
        if (type == ThriftType.Stop)
            return (type, 0);
        CheckType(type);
        return (type, BinaryPrimitives.ReadInt16BigEndian(Take(2)));
    }

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        _ => throw Malformed("bool out of range"),
    };

    public int ReadI32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadI64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    /// <summary>A binary field (a copy), at most <paramref name="maxLength"/> bytes.</summary>
    public byte[] ReadBinary(int maxLength) => ReadLengthPrefixed(maxLength).ToArray();

    /// <summary>A string field, strict UTF-8, at most <paramref name="maxBytes"/> bytes.</summary>
    public string ReadString(int maxBytes)
    {
        var bytes = ReadLengthPrefixed(maxBytes);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed("string is not UTF-8");
        }
    }

    /// <summary>A list header: element type and count (bounded by <see cref="MaxElements"/> and by what is left).</summary>
    public (ThriftType ElementType, int Count) ReadListBegin()
    {
        var elementType = (ThriftType)ReadByte();
        CheckType(elementType);
        var count = ReadI32();
        if (count < 0 || count > MaxElements || count > buffer.Length - position)
            throw Malformed("list length out of range");
        return (elementType, count);
    }

    /// <summary>Skips a value of <paramref name="type"/>, nested values included (bounded depth).</summary>
    public void Skip(ThriftType type)
    {
        switch (type)
        {
            case ThriftType.Bool:
            case ThriftType.Byte:
                Take(1);
                break;
            case ThriftType.I16:
                Take(2);
                break;
            case ThriftType.I32:
                Take(4);
                break;
            case ThriftType.Double:
            case ThriftType.I64:
                Take(8);
                break;
            case ThriftType.String:
                ReadLengthPrefixed(buffer.Length);
                break;
            case ThriftType.Struct:
                EnterStruct();
                while (true)
                {
                    var (fieldType, _) = ReadFieldBegin();
                    if (fieldType == ThriftType.Stop)
                        break;
                    Skip(fieldType);
                }
                LeaveStruct();
                break;
            case ThriftType.List:
            case ThriftType.Set:
                {
                    EnterStruct();
                    var (elementType, count) = ReadListBegin();
                    for (var i = 0; i < count; i++)
                        Skip(elementType);
                    LeaveStruct();
                    break;
                }
            case ThriftType.Map:
                {
                    EnterStruct();
                    var keyType = (ThriftType)ReadByte();
                    var valueType = (ThriftType)ReadByte();
                    CheckType(keyType);
                    CheckType(valueType);
                    var count = ReadI32();
                    if (count < 0 || count > MaxElements || count > buffer.Length - position)
                        throw Malformed("map length out of range");
                    for (var i = 0; i < count; i++)
                    {
                        Skip(keyType);
                        Skip(valueType);
                    }
                    LeaveStruct();
                    break;
                }
            default:
                throw Malformed("unknown type");
        }
    }

    private ReadOnlySpan<byte> ReadLengthPrefixed(int maxLength)
    {
        var length = ReadI32();
        if (length < 0 || length > maxLength)
            throw Malformed("length out of range");
        return Take(length);
    }

    private byte ReadByte() => Take(1)[0];

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > buffer.Length - position)
            throw Malformed("truncated");
        var slice = buffer.Slice(position, count);
        position += count;
        return slice;
    }

    private static void CheckType(ThriftType type)
    {
        if (type is not (ThriftType.Bool or ThriftType.Byte or ThriftType.Double or ThriftType.I16 or ThriftType.I32
            or ThriftType.I64 or ThriftType.String or ThriftType.Struct or ThriftType.Map or ThriftType.Set
            or ThriftType.List))
            throw Malformed("unknown type");
    }

    private static XChatProtocolException Malformed(string what) =>
        new(XChatRejection.Malformed, $"The event is not valid Thrift ({what}).");
}

/// <summary>A writer of Thrift's binary protocol for the structs this project sends.</summary>
internal sealed class ThriftWriter
{
    private readonly ArrayBufferWriter<byte> stream = new(256);

    public void FieldBegin(ThriftType type, short id)
    {
        Byte((byte)type);
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, id);
        stream.Write(bytes);
    }

    public void FieldStop() => Byte((byte)ThriftType.Stop);

    public void String(short id, string value)
    {
        FieldBegin(ThriftType.String, id);
        Bytes(Encoding.UTF8.GetBytes(value));
    }

    public void Binary(short id, ReadOnlySpan<byte> value)
    {
        FieldBegin(ThriftType.String, id);
        Bytes(value);
    }

    public void Bool(short id, bool value)
    {
        FieldBegin(ThriftType.Bool, id);
        Byte(value ? (byte)1 : (byte)0);
    }

    public void I32(short id, int value)
    {
        FieldBegin(ThriftType.I32, id);
        RawI32(value);
    }

    public void I64(short id, long value)
    {
        FieldBegin(ThriftType.I64, id);
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        stream.Write(bytes);
    }

    public void ListBegin(short id, ThriftType elementType, int count)
    {
        FieldBegin(ThriftType.List, id);
        Byte((byte)elementType);
        RawI32(count);
    }

    /// <summary>Appends an already serialised struct body (its fields and stop byte).</summary>
    public void Raw(ReadOnlySpan<byte> bytes) => stream.Write(bytes);

    public byte[] ToArray() => stream.WrittenSpan.ToArray();

    private void Byte(byte value) => stream.Write([value]);

    private void Bytes(ReadOnlySpan<byte> value)
    {
        RawI32(value.Length);
        stream.Write(value);
    }

    private void RawI32(int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        stream.Write(bytes);
    }
}
