using CsCheck;

namespace Pipeline.Core.Tests;

/// <summary>Decoding never throws, whatever the bytes. CI runs 100k+ cases per property; set
/// PIPELINE_LONG_RUN=1 for a long run (100x).</summary>
public class RobustnessProperties
{
    private static readonly long Iterations =
        Environment.GetEnvironmentVariable("PIPELINE_LONG_RUN") is "1" or "true" ? 10_000_000 : 100_000;

    private static readonly byte[] Structural = "{}[]\",:\\ 0-.etnfu\u00e9"u8.ToArray();

    /// <summary>A valid envelope (request or response) with 1–4 byte-level mutations.</summary>
    private static readonly Gen<byte[]> MutatedEnvelope =
        from valid in Gen.OneOf(
            Gens.Request.Select(EnvelopeCodec.EncodeRequest),
            Gens.Response.Select(EnvelopeCodec.EncodeResponse))
        from mutations in Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Byte, Gen.Int[0, Structural.Length - 1]).Array[1, 4]
        select Mutate(valid, mutations);

    [Fact]
    public void DecodeRequest_RandomBytes_NeverThrows() =>
        Gen.Byte.Array[0, 300].Sample(bytes => DecodeBoth(bytes), iter: Iterations);

    [Fact]
    public void DecodeRequest_MutatedEnvelopes_NeverThrow() =>
        MutatedEnvelope.Sample(bytes => DecodeBoth(bytes), iter: Iterations);

    [Fact]
    public void DecodeRequest_DeeplyNestedInput_FailsCleanly()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);

        var result = EnvelopeCodec.DecodeRequest(System.Text.Encoding.UTF8.GetBytes("{\"tasks\":" + deep + "}"));

        Assert.True(result.IsFail);
    }

    private static void DecodeBoth(byte[] bytes)
    {
        // Either outcome is fine; the property is that no exception escapes and failures carry a message.
        var request = EnvelopeCodec.DecodeRequest(bytes);
        var response = EnvelopeCodec.DecodeResponse(bytes);
        request.IfFail(error => Assert.False(string.IsNullOrEmpty(error.Message)));
        response.IfFail(error => Assert.False(string.IsNullOrEmpty(error.Message)));
    }

    private static byte[] Mutate(byte[] valid, (int Kind, int Position, byte Value, int Pick)[] mutations)
    {
        var bytes = new List<byte>(valid);
        foreach (var (kind, position, value, pick) in mutations)
        {
            var at = bytes.Count == 0 ? 0 : position % bytes.Count;
            switch (kind)
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = value;
                    break;
                case 1:
                    bytes.Insert(at, Structural[pick]);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                default:
                    bytes.Insert(at, value);
                    break;
            }
        }

        return bytes.ToArray();
    }
}
