using System;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Pipeline.Engine;

/// <summary>
/// Job, task and invocation ids. Task ids are opaque base64url strings, unique by construction
/// (they embed the manifest row) and unguessable across jobs (a keyed hash prefix). With a seed
/// every id is reproducible; without one the salt is random.
/// </summary>
internal sealed class IdSource
{
    private readonly long _salt;

    public IdSource(ulong? seed)
    {
        Span<byte> random = stackalloc byte[8];
        if (seed is { } s)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(random, s);
            _salt = (long)XxHash64.HashToUInt64(random, 0x5EED);
        }
        else
        {
            RandomNumberGenerator.Fill(random);
            _salt = BinaryPrimitives.ReadInt64LittleEndian(random);
        }
    }

    public string JobId()
    {
        Span<byte> input = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(input, _salt);
        Span<byte> bytes = stackalloc byte[16];
        XxHash128.Hash(input, bytes, _salt);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // a version-4-shaped UUID
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString();
    }

    public string TaskId(long row) => Encode(row, -1);

    public string InvocationId(long row, int attempt) => Encode(row, attempt);

    /// <summary>A seed for a worker's jitter random.</summary>
    public int WorkerSeed(int worker) => (int)XxHash64.HashToUInt64(BitConverter.GetBytes(worker), _salt);

    private string Encode(long row, int attempt)
    {
        Span<byte> input = stackalloc byte[12];
        BinaryPrimitives.WriteInt64LittleEndian(input, row);
        BinaryPrimitives.WriteInt32LittleEndian(input[8..], attempt);
        Span<byte> id = stackalloc byte[attempt < 0 ? 16 : 20];
        BinaryPrimitives.WriteUInt64LittleEndian(id, XxHash64.HashToUInt64(input, _salt));
        BinaryPrimitives.WriteInt64LittleEndian(id[8..], row);
        if (attempt >= 0)
        {
            BinaryPrimitives.WriteInt32LittleEndian(id[16..], attempt);
        }

        return Base64Url(id);
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
