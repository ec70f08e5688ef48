using LanguageExt.Common;

namespace Pipeline.Core.Tests;

/// <summary>The one S3 names grammar: bucket names, bucket and object ARNs, s3:// URIs, the key limit.</summary>
public class S3NamesTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("my.bucket-1")]
    [InlineData("1bucket")]
    [InlineData("192.168.1.1a")]
    public void BucketName_S3Names_AreValidAndWellFormed(string name)
    {
        Assert.True(BucketName.IsValid(name));
        Assert.True(BucketName.IsWellFormed(name));
    }

    [Theory]
    [InlineData("a_b")]
    [InlineData("a..b")]
    [InlineData("a.-b")]
    [InlineData("192.168.1.1")]
    public void BucketName_OlderNames_AreWellFormedButNotValidForCreation(string name)
    {
        Assert.False(BucketName.IsValid(name));
        Assert.True(BucketName.IsWellFormed(name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ab")]
    [InlineData("Abc")]
    [InlineData("aBc")]
    [InlineData("-ab")]
    [InlineData("ab.")]
    [InlineData("_ab")]
    [InlineData("a/b")]
    [InlineData("a:b")]
    public void BucketName_NotABucketName_IsNeither(string? name)
    {
        Assert.False(BucketName.IsValid(name));
        Assert.False(BucketName.IsWellFormed(name));
    }

    [Fact]
    public void BucketName_Length_Is3To63()
    {
        Assert.True(BucketName.IsValid(new string('a', BucketName.MaxLength)));
        Assert.False(BucketName.IsValid(new string('a', BucketName.MaxLength + 1)));
        Assert.False(BucketName.IsWellFormed(new string('a', BucketName.MaxLength + 1)));
    }

    [Theory]
    [InlineData("arn:aws:s3:::report-bucket", "report-bucket")]
    [InlineData("arn:aws-cn:s3:::my.bucket", "my.bucket")]
    [InlineData("arn:aws:s3:::legacy_bucket", "legacy_bucket")]
    public void BucketArn_Parse_GivesTheBucket(string arn, string bucket) => Assert.Equal(bucket, Ok(BucketArn.Parse(arn)));

    [Theory]
    [InlineData("report-bucket")]
    [InlineData("arn:a:b:s3:::bucket")]
    [InlineData("arn:aws:s3:us-east-1:0123456788:bucket")]
    [InlineData("arn:aws:s3:::bucket/key")]
    [InlineData("arn:aws:s3:::")]
    public void BucketArn_Parse_NotAStrictBucketArn_SaysWhatWasExpected(string arn)
    {
        var error = Failed(BucketArn.Parse(arn));

        Assert.Equal(S3NameErrors.InvalidBucketArnCode, error.Code);
        Assert.Equal($"must be a bucket ARN (arn:aws:s3:::BUCKET), got \"{arn}\"", error.Message);
    }

    [Theory]
    [InlineData("arn:aws:s3:::manifest-bucket/dir/m.csv", "manifest-bucket", "dir/m.csv")]
    [InlineData("arn:aws:s3:::b.b/k", "b.b", "k")]
    [InlineData("arn:aws:s3:::bucket//x:y", "bucket", "/x:y")]
    public void ObjectArn_Parse_SplitsAtTheFirstSlash(string arn, string bucket, string key)
    {
        Assert.Equal(new S3ObjectName(bucket, key), Ok(ObjectArn.Parse(arn)));
        Assert.Equal(arn, ObjectArn.Format(bucket, key));
    }

    [Theory]
    [InlineData("arn:aws:s3:::bucket-only")]
    [InlineData("arn:aws:s3:::bucket/")]
    [InlineData("arn:aws:s3:::/key")]
    [InlineData("arn:aws:s3:::Bucket/key")]
    [InlineData("urn:aws:s3:::bucket/key")]
    public void ObjectArn_Parse_NotAnObjectArn_SaysWhatWasExpected(string arn)
    {
        var error = Failed(ObjectArn.Parse(arn));

        Assert.Equal(S3NameErrors.InvalidObjectArnCode, error.Code);
        Assert.Equal($"must be an object ARN (arn:aws:s3:::BUCKET/KEY), got \"{arn}\"", error.Message);
    }

    [Theory]
    [InlineData("s3://bucket/key", "bucket", "key")]
    [InlineData("s3://bucket/dir/m.csv", "bucket", "dir/m.csv")]
    public void S3Uri_Parse_GivesBucketAndKey(string uri, string bucket, string key)
    {
        Assert.True(S3Uri.IsS3Uri(uri));
        Assert.Equal(new S3ObjectName(bucket, key), Ok(S3Uri.Parse(uri)));
        Assert.Equal(uri, S3Uri.Format(bucket, key));
    }

    [Theory]
    [InlineData("s3://bucket")]
    [InlineData("s3://bucket/")]
    [InlineData("s3:///key")]
    [InlineData("manifest.csv")]
    public void S3Uri_Parse_Malformed_ExpectsBucketAndKey(string uri)
    {
        var error = Failed(S3Uri.Parse(uri));

        Assert.Equal(S3NameErrors.InvalidS3UriCode, error.Code);
        Assert.Equal("expected s3://bucket/key", error.Message);
    }

    [Fact]
    public void S3Uri_IsS3Uri_OnlyForTheScheme() => Assert.False(S3Uri.IsS3Uri("out/manifest.csv"));

    [Fact]
    public void ObjectKey_Limit_Is1024Utf8Bytes()
    {
        Assert.False(ObjectKey.IsTooLong(System.Text.Encoding.UTF8.GetByteCount(new string('é', 512))));
        Assert.True(ObjectKey.IsTooLong(System.Text.Encoding.UTF8.GetByteCount(new string('é', 513))));
        Assert.Equal(1024, ObjectKey.MaxBytes);
    }

    private static T Ok<T>(LanguageExt.Fin<T> parsed) => parsed.Match(Succ: value => value, Fail: error => throw new Xunit.Sdk.XunitException(error.Message));

    private static Error Failed<T>(LanguageExt.Fin<T> parsed) => parsed.Match(Succ: value => throw new Xunit.Sdk.XunitException($"parsed as {value}"), Fail: error => error);
}
