using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using CsCheck;
using Pipeline.Core;
using Pipeline.Engine;
using Pipeline.JobStore.Sqlite;
using Xunit;

namespace Pipeline.JobStore.Tests;

/// <summary>The journal's batch format: every batch decodes to what was encoded; damage is an error.</summary>
public sealed class JournalCodecTests
{
    private static readonly Gen<string> Text = Gen.Frequency(
        (6, Gen.String[Gen.Char["abk/-_ 0123456789"], 0, 12]),
        (2, Gen.String[Gen.Char["aé€/"], 0, 6].Select(s => s + "😀" + s)),
        (1, Gen.OneOf<string>("a😀", "a😁", "a😀b", "", "k/0000001", "k/0000010", "k/0000100")),
        (1, Gen.String[Gen.Char['\u0020', '\uD7FF'], 0, 300]));

    private static readonly Gen<JournalEntry> Entry =
        from row in Gen.Frequency((4, Gen.Long[1, 2_000]), (1, Gen.Long[1, long.MaxValue / 2]))
        from kind in Gen.Enum<JournalEntryKind>()
        from code in Gen.Enum<ResultCode>()
        from attempts in Gen.Frequency((5, Gen.Int[0, 5]), (1, Gen.Int[0, int.MaxValue]))
        from message in Gen.Frequency((3, Gen.Const((string?)null)), (2, Text.Select(s => (string?)s)), (1, Gen.OneOf<string?>("same", "same", "other")))
        from bucket in Gen.OneOf<string>("b", "b", "b", "other-bucket", "ü")
        from key in Text
        from version in Gen.Frequency((3, Gen.Const((string?)null)), (1, Text.Select(s => (string?)s)))
        select new JournalEntry(row, kind, code, attempts, message, bucket, key, version);

    [Fact]
    public void EveryBatch_DecodesToWhatWasEncoded()
    {
        // One encoder (its buffer reused from batch to batch) per thread: CsCheck samples in parallel.
        using var encoders = new ThreadLocal<JournalEncoder>(() => new JournalEncoder());
        Entry.Array[0, 60].Sample(entries =>
        {
            var bytes = encoders.Value!.Encode(entries).ToArray();
            Assert.Equal(entries, Decode(bytes, strings: true));

            // Without strings: the same rows, kinds, codes, attempts and messages.
            var reader = new JournalBatchReader(bytes, strings: false);
            var i = 0;
            while (reader.Next(out var light))
            {
                var e = entries[i++];
                Assert.Equal((e.Row, e.Kind, e.Code, e.Attempts, e.Message), (light.Row, light.Kind, light.Code, light.Attempts, reader.Message()));
            }

            Assert.Equal(entries.Length, i);
        });
    }

    [Fact]
    public void ASequentialNoOpEntry_TakesAboutSevenBytes()
    {
        var entries = Enumerable.Range(1, 8192)
            .Select(r => new JournalEntry(r, JournalEntryKind.Outcome, ResultCode.Succeeded, 1, null, "b", "k/" + r.ToString("D7", System.Globalization.CultureInfo.InvariantCulture), null))
            .ToArray();
        var bytes = new JournalEncoder().Encode(entries).Length;
        Assert.True(bytes <= 8 * entries.Length, $"{bytes} bytes for {entries.Length} entries");
    }

    [Fact]
    public void DamagedBatches_AreInvalidData()
    {
        var bytes = new JournalEncoder().Encode([new JournalEntry(3, JournalEntryKind.Outcome, ResultCode.Succeeded, 1, "hello", "b", "k", "v")]).ToArray();
        Assert.Throws<InvalidDataException>(() => Decode([], strings: true));
        Assert.Throws<InvalidDataException>(() => Decode([9, 1], strings: true));
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            Assert.Throws<InvalidDataException>(() => Decode(bytes[..cut], strings: true));
        }

        Assert.Throws<InvalidDataException>(() => Decode([.. bytes, 0], strings: true));
        var badFlags = bytes.ToArray();
        badFlags[2] = 0x80;
        Assert.Throws<InvalidDataException>(() => Decode(badFlags, strings: true));
    }

    private static List<JournalEntry> Decode(byte[] bytes, bool strings)
    {
        var reader = new JournalBatchReader(bytes, strings);
        var entries = new List<JournalEntry>();
        while (reader.Next(out var entry))
        {
            entries.Add(entry);
        }

        return entries;
    }
}
