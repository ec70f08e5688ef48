namespace Pipeline.Core;

/// <summary>How <see cref="EnvelopeCodec.DecodeRequest"/> reads a request.</summary>
/// <param name="DecodeSchema2Keys">
/// Form-decode schema 2.0 keys as 1.0 keys are. AWS documents the URL-encoding for 1.0 only; for 2.0
/// it is undocumented and peer libraries decode both, so this defaults to <see langword="true"/>.
/// A function whose 2.0 jobs send raw keys turns it off.
/// </param>
public sealed record DecodeOptions(bool DecodeSchema2Keys = true)
{
    /// <summary>Decode keys of both schemas.</summary>
    public static DecodeOptions Default { get; } = new();
}
