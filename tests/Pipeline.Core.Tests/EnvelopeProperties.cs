using System.Net;
using CsCheck;
using static Pipeline.Core.Tests.FinAssert;

namespace Pipeline.Core.Tests;

public class EnvelopeProperties
{
    [Fact]
    public void Request_DecodeOfEncode_IsIdentity() =>
        Gens.Request.Sample(request =>
            Assert.Equal(request, Succ(EnvelopeCodec.DecodeRequest(EnvelopeCodec.EncodeRequest(request)))),
            iter: 5_000);

    [Fact]
    public void Response_DecodeOfEncode_IsIdentity() =>
        Gens.Response.Sample(response =>
            Assert.Equal(response, Succ(EnvelopeCodec.DecodeResponse(EnvelopeCodec.EncodeResponse(response)))),
            iter: 5_000);

    [Fact]
    public void FormDecode_EqualsWebUtilityUrlDecode_OnAnyString() =>
        Gens.KeyWithLoneSurrogates.Sample(key => Assert.Equal(WebUtility.UrlDecode(key), KeyDecoder.FormDecode(key)), iter: 50_000);

    [Fact]
    public void FormDecode_EqualsWebUtilityUrlDecode_OnArbitraryCharacters() =>
        Gen.Char.Array[0, 40].Select(c => new string(c))
            .Sample(key => Assert.Equal(WebUtility.UrlDecode(key), KeyDecoder.FormDecode(key)), iter: 20_000);

    [Fact]
    public void Decode_TaskKey_IsTheFormDecodedS3Key() =>
        Gens.Request.Sample(request =>
        {
            foreach (var task in request.Tasks)
            {
                Assert.Equal(WebUtility.UrlDecode(task.S3Key), task.Key);
            }
        });
}
