using CsCheck;
using Pipeline.S3Control.Auth;

namespace Pipeline.S3Control.Tests.Auth;

/// <summary>
/// Properties over generated requests (method, path with reserved and non-ASCII characters, repeated
/// query parameters with any values, extra signed headers with runs of white space, any body), signed
/// by the AWS SDK for .NET's signer: accepted as signed (absolute- and origin-form); refused once any
/// signed part has one character or byte changed; still accepted when an unsigned header is added.
/// </summary>
public sealed class SigV4Properties
{
    private const string AccessKeyId = "AKIAPROPERTY0000TEST";
    private const string Secret = "property/Secret+Key=0123456789";
    private static readonly DateTime SignedAt = new(2026, 12, 5, 8, 0, 0, DateTimeKind.Utc);
    private static readonly DateTimeOffset Now = new(SignedAt);
    private static readonly Dictionary<string, string> Secrets = new() { [AccessKeyId] = Secret };
    private const string Alphanumeric = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static readonly string[] Methods = ["GET", "PUT", "POST", "DELETE", "HEAD"];

    private static Gen<string> Text(string chars, int max) =>
        Gen.Frequency(
                (8, Gen.Char[chars].Select(c => c.ToString())),
                (1, Gen.Int[0xA0, 0x2FFF].Select(char.ConvertFromUtf32)),
                (1, Gen.Int[0x10000, 0x1FFFF].Select(char.ConvertFromUtf32)))
            .Array[0, max].Select(string.Concat);

    // Each segment starts with a letter so every path has a plain character to change.
    private static readonly Gen<string> Segment =
        Gen.Select(Gen.Char['a', 'z'], Text(Alphanumeric + "-_.~ !$&'()*+,;=:@%", 10)).Select((first, rest) => first + rest);

    private static readonly Gen<string> Path = Segment.Array[1, 4].Select(s => "/" + string.Join('/', s));

    // Names and repeated values start with a letter distinct per position: the AWS SDK for .NET sorts
    // repeated values by their unencoded text, SigV4 (and botocore, and this verifier) by their encoded
    // form; the two orders agree when the first characters differ (S3 Control's jobStatuses always do).
    // Names are unreserved characters only: the SDK does not encode a parameter's name in the URL it
    // sends ('=', '&', '%' go raw: an ambiguous URL); S3 Control's names are words. Values carry the encoding cases.
    private static readonly Gen<IReadOnlyList<(string, IReadOnlyList<string>)>> Parameters =
        Gen.Select(Gen.Char[Alphanumeric + "-_.~"].Array[0, 6].Select(c => new string(c)), Text(Alphanumeric + "-_.~ +&=%/?#[]", 12).Array[1, 3])
            .Array[0, 4]
            .Select(ps => (IReadOnlyList<(string, IReadOnlyList<string>)>)ps
                .Select((p, i) => ((char)('a' + i) + p.Item1, (IReadOnlyList<string>)p.Item2.Select((v, j) => (char)('K' + j) + v).ToList()))
                .ToList());

    // Header values of printable ASCII with runs of spaces and tabs, and at least one visible character.
    private static readonly Gen<string> HeaderValue =
        Gen.Select(Gen.Char['!', '~'], Gen.Frequency((6, Gen.Char['!', '~']), (2, Gen.Const(' ')), (1, Gen.Const('\t'))).Array[0, 16])
            .Select((first, rest) => first + new string(rest));

    private static readonly Gen<IReadOnlyList<(string, string)>> Headers =
        HeaderValue.Array[0, 3].Select(vs => (IReadOnlyList<(string, string)>)vs.Select((v, i) => ($"x-amz-meta-p{i}", v)).Prepend(("x-amz-account-id", "123456789012")).ToList());

    private static readonly Gen<ClientRequest> Requests =
        Gen.Select(Gen.Int[0, Methods.Length - 1], Path, Parameters, Headers, Gen.Byte.Array[0, 48])
            .Select((m, path, parameters, headers, body) =>
                new ClientRequest(Methods[m], "http://123456789012.s3control.local:8080", path, parameters, headers, body));

    private static ReceivedRequest Sign(ClientRequest request) => SdkSigner.Sign(request, AccessKeyId, Secret, SignedAt);

    [Fact]
    public void SignedByTheSdk_IsAccepted_AbsoluteAndOriginForm() =>
        Requests.Sample(client =>
        {
            var request = Sign(client);
            AuthAssert.Accepted(SigV4Verifier.Verify(request, Secrets, Now), AccessKeyId);
            AuthAssert.Accepted(SigV4Verifier.Verify(request with { RawTarget = SdkSigner.OriginForm(request.RawTarget) }, Secrets, Now), AccessKeyId);
        }, iter: 300);

    [Fact]
    public void AnUnsignedHeaderAdded_IsStillAccepted() =>
        Gen.Select(Requests, HeaderValue).Sample((client, value) =>
        {
            var request = Sign(client).WithHeader("X-Forwarded-For", value).WithHeader("User-Agent", value);
            AuthAssert.Accepted(SigV4Verifier.Verify(request, Secrets, Now), AccessKeyId);
        }, iter: 100);

    [Fact]
    public void OneSignedCharacterOrByteChanged_IsRefused() =>
        Gen.Select(Requests, Gen.Int[0, 6], Gen.Int[0, int.MaxValue], Gen.Int[1, 255]).Sample((client, part, seed, flip) =>
        {
            var request = Sign(client);
            var (mutated, what) = Mutate(request, part, seed, (byte)flip);
            AuthAssert.RefusedAny(SigV4Verifier.Verify(mutated, Secrets, Now), what);
        }, iter: 500);

    private static (ReceivedRequest Request, string What) Mutate(ReceivedRequest request, int part, int seed, byte flip)
    {
        var target = RequestTarget.Parse(request.RawTarget);
        switch (part)
        {
            case 0:
                var body = request.Body.ToArray();
                if (body.Length == 0)
                {
                    return (request with { Body = new[] { flip } }, "a byte added to the empty body");
                }

                body[seed % body.Length] ^= flip;
                return (request with { Body = body }, $"body byte {seed % body.Length} xor {flip}");
            case 1:
                var method = Methods[(Array.IndexOf(Methods, request.Method) + 1 + (seed % (Methods.Length - 1))) % Methods.Length];
                return (request with { Method = method }, $"method {request.Method} → {method}");
            case 2:
                var pathStart = request.RawTarget.IndexOf(target.Path, StringComparison.Ordinal);
                return ChangePlainCharacter(request, pathStart, pathStart + target.Path.Length, seed, "path");
            case 3 when target.Query.Length > 0:
                var queryStart = request.RawTarget.IndexOf('?', StringComparison.Ordinal) + 1;
                return ChangePlainCharacter(request, queryStart, request.RawTarget.Length, seed, "query");
            case 4:
                var signed = request.Headers.Where(h => h.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) || h.Key == "host").ToList();
                var header = signed[seed % signed.Count];
                var positions = Enumerable.Range(0, header.Value.Length).Where(i => !char.IsWhiteSpace(header.Value[i])).ToList();
                var at = positions[seed / signed.Count % positions.Count];
                var value = header.Value[..at] + Other(header.Value[at], seed) + header.Value[(at + 1)..];
                return (request.WithHeader(header.Key, value), $"header {header.Key}: '{header.Value}' → '{value}'");
            case 5:
                var authorization = request.Header("Authorization");
                var signatureAt = authorization.IndexOf("Signature=", StringComparison.Ordinal) + "Signature=".Length + (seed % 64);
                var hex = "0123456789abcdef";
                var changed = hex[(hex.IndexOf(authorization[signatureAt], StringComparison.Ordinal) + 1 + (seed % 15)) % 16];
                return (request.WithHeader("Authorization", authorization[..signatureAt] + changed + authorization[(signatureAt + 1)..]), "a signature digit");
            default:
                var scoped = request.Header("Authorization").Replace("/us-east-1/", "/us-east-2/", StringComparison.Ordinal);
                return (request.WithHeader("Authorization", scoped), "the credential scope's region");
        }
    }

    /// <summary>Changes one letter or digit of the raw target between <paramref name="start"/> and
    /// <paramref name="end"/> that is not a hex digit of a %XX escape: always another request.</summary>
    private static (ReceivedRequest, string) ChangePlainCharacter(ReceivedRequest request, int start, int end, int seed, string where)
    {
        var raw = request.RawTarget;
        var positions = new List<int>();
        for (var i = start; i < end; i++)
        {
            if (raw[i] == '%' && i + 2 < end && char.IsAsciiHexDigit(raw[i + 1]) && char.IsAsciiHexDigit(raw[i + 2]))
            {
                i += 2;
            }
            else if (char.IsAsciiLetterOrDigit(raw[i]))
            {
                positions.Add(i);
            }
        }

        var at = positions[seed % positions.Count];
        var target = raw[..at] + Other(raw[at], seed) + raw[(at + 1)..];
        return (request with { RawTarget = target }, $"{where} character {at}: {raw} → {target}");
    }

    private static char Other(char c, int seed)
    {
        var index = Alphanumeric.IndexOf(c, StringComparison.Ordinal);
        var next = Alphanumeric[(Math.Max(index, 0) + 1 + (seed % (Alphanumeric.Length - 1))) % Alphanumeric.Length];
        return next == c ? '!' : next;
    }
}
