using System.Net;

namespace Pipeline.Core.Tests;

public class KeyAndArnTests
{
    [Theory]
    [InlineData("object1key%7Clower", "object1key|lower")]
    [InlineData("my+file.txt", "my file.txt")]
    [InlineData("a%2Bb", "a+b")]
    [InlineData("caf%C3%A9", "café")]
    [InlineData("%F0%9F%98%80", "😀")]
    [InlineData("100%", "100%")]
    [InlineData("%zz%4", "%zz%4")]
    [InlineData("%C3", "\uFFFD")]
    [InlineData("%7B%22origKey%22%3A%20%22object1key%22%2C%20%22newKey%22%3A%20%22newObject1Key%22%7D", """{"origKey": "object1key", "newKey": "newObject1Key"}""")]
    public void FormDecode_DocumentedCases_MatchUnquotePlus(string encoded, string decoded)
    {
        Assert.Equal(decoded, KeyDecoder.FormDecode(encoded));
        Assert.Equal(WebUtility.UrlDecode(encoded), KeyDecoder.FormDecode(encoded));
    }

    [Fact]
    public void FormDecode_NothingToDecode_ReturnsTheSameStringInstance()
    {
        var key = "photos/2024/customerImage1.jpg";

        Assert.Same(key, KeyDecoder.FormDecode(key));
    }

    [Fact]
    public void FormDecode_KeyLongerThanTheStackBuffer_DecodesThroughThePool()
    {
        var key = string.Concat(Enumerable.Repeat("a%C3%A9+", 200));

        Assert.Equal(WebUtility.UrlDecode(key), KeyDecoder.FormDecode(key));
    }

    [Theory]
    [InlineData("arn:aws:s3:::amzn-s3-demo-bucket", "amzn-s3-demo-bucket")]
    [InlineData("arn:aws:s3:us-east-1:0123456788:awsexamplebucket", "awsexamplebucket")]
    [InlineData("arn:aws-cn:s3:::my.bucket", "my.bucket")]
    public void TryGetBucketName_ArnForms_GiveTheTextAfterTheLastColon(string arn, string bucket)
    {
        Assert.True(BucketArn.TryGetBucketName(arn, out var name));
        Assert.Equal(bucket, name);
    }

    [Theory]
    [InlineData("amzn-s3-demo-bucket")]
    [InlineData("arn:aws:s3:::")]
    [InlineData("arn:aws:s3:bucket")]
    [InlineData("urn:aws:s3:::bucket")]
    public void TryGetBucketName_NotABucketArn_Fails(string arn) => Assert.False(BucketArn.TryGetBucketName(arn, out _));
}
