using Pipeline.S3Control.Auth;

namespace Pipeline.S3Control.Tests.Auth;

public sealed class CredentialsFileTests
{
    private const string Typical = """
        # ~/.aws/credentials
        [default]
        aws_access_key_id = AKIAIOSFODNN7EXAMPLE
        aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

        ; the CI user
        [ci]
        aws_access_key_id=AKIAI44QH8DHBEXAMPLE
          aws_secret_access_key   =   je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
        aws_session_token = ignored
        region = us-east-1

        [profile assume]
        role_arn = arn:aws:iam::123456789012:role/batch
        source_profile = default
        """;

    private static string ErrorOf(string text) =>
        CredentialsFile.Parse(text, "creds").Match(Succ: secrets => "parsed " + secrets.Count, Fail: e => e.Message);

    [Fact]
    public void ATypicalFile_GivesEveryProfilesKey()
    {
        var secrets = CredentialsFile.Parse(Typical, "creds").Match(Succ: s => s, Fail: e => throw new InvalidOperationException(e.Message));
        Assert.Equal(2, secrets.Count);
        Assert.Equal("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", secrets["AKIAIOSFODNN7EXAMPLE"]);
        Assert.Equal("je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", secrets["AKIAI44QH8DHBEXAMPLE"]);
    }

    [Fact]
    public void WindowsLineEndings_ColonsAndUpperCaseNames_AreRead()
    {
        var text = "[a]\r\nAWS_ACCESS_KEY_ID: AKIDA\r\naws_secret_access_key : s3cr3t\r\n";
        var secrets = CredentialsFile.Parse(text, "creds").Match(Succ: s => s, Fail: e => throw new InvalidOperationException(e.Message));
        Assert.Equal("s3cr3t", Assert.Single(secrets, kv => kv.Key == "AKIDA").Value);
    }

    [Fact]
    public void TheSameKeyInTwoProfilesWithTheSameSecret_IsOneEntry() =>
        Assert.Equal("parsed 1", ErrorOf("[a]\naws_access_key_id=K\naws_secret_access_key=S\n[b]\naws_access_key_id=K\naws_secret_access_key=S\n"));

    [Theory]
    [InlineData("[a]\naws_access_key_id = K\n", "creds:2: profile [a] has aws_access_key_id but no aws_secret_access_key.")]
    [InlineData("[a]\nregion = x\naws_secret_access_key = S\n", "creds:3: profile [a] has aws_secret_access_key but no aws_access_key_id.")]
    [InlineData("[a]\naws_access_key_id=K\naws_secret_access_key=S\n[b]\naws_access_key_id=K\naws_secret_access_key=T\n",
        "creds:5: access key id K of profile [b] is also in profile [a] (line 2) with a different secret.")]
    [InlineData("# nothing\n[a]\nregion = us-east-1\n", "creds: no credentials: no profile has both aws_access_key_id and aws_secret_access_key.")]
    [InlineData("", "creds: no credentials: no profile has both aws_access_key_id and aws_secret_access_key.")]
    [InlineData("aws_access_key_id = K\n", "creds:1: a setting before any [profile] header.")]
    [InlineData("[a]\naws_access_key_id K\n", "creds:2: expected 'name = value', a [profile] header or a comment (# or ;).")]
    [InlineData("[a\naws_access_key_id = K\n", "creds:1: '[a' is not a section header: write [profile-name].")]
    [InlineData("[a]\naws_access_key_id=K\n\n[a]\n", "creds:4: profile [a] is defined twice (first on line 1).")]
    [InlineData("[a]\naws_access_key_id=K\naws_access_key_id=L\n", "creds:3: aws_access_key_id is set twice in profile [a] (first on line 2).")]
    [InlineData("[a]\naws_access_key_id=\naws_secret_access_key=S\n", "creds:2: aws_access_key_id of profile [a] is empty.")]
    [InlineData("[a]\naws_access_key_id=K\naws_secret_access_key=S # mine\n", "creds:3: aws_secret_access_key of profile [a] contains white space (comments go on lines of their own).")]
    public void EachError_NamesTheFileAndLine(string text, string message) => Assert.Equal(message, ErrorOf(text));

    [Fact]
    public void Read_ParsesAFile_AndNamesAnUnreadableOne()
    {
        var directory = Directory.CreateTempSubdirectory("sigv4-credentials-");
        try
        {
            var path = Path.Combine(directory.FullName, "credentials");
            File.WriteAllText(path, Typical);
            var count = CredentialsFile.Read(path).Match(Succ: s => s.Count, Fail: e => -1);
            Assert.Equal(2, count);
            var missing = Path.Combine(directory.FullName, "absent");
            var error = CredentialsFile.Read(missing).Match(Succ: _ => "read", Fail: e => e.Message);
            Assert.StartsWith($"cannot read the credentials file {missing}: ", error, StringComparison.Ordinal);
            var problem = CredentialsFile.Read(path + "x").Match(Succ: _ => 0, Fail: e => e.Code);
            Assert.Equal(CredentialsFile.InvalidCode, problem);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void ParsedSecrets_VerifyAnSdkSignedRequest()
    {
        var secrets = CredentialsFile.Parse(Typical, "creds").Match(Succ: s => s, Fail: e => throw new InvalidOperationException(e.Message));
        var request = SdkSigner.Sign(
            new ClientRequest("GET", "http://123456789012.s3control.local:8080", "/v20180820/jobs", [], [("x-amz-account-id", "123456789012")], []),
            "AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", new DateTime(2026, 12, 5, 0, 0, 0, DateTimeKind.Utc));
        AuthAssert.Accepted(SigV4Verifier.Verify(request, secrets, new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero)), "AKIAI44QH8DHBEXAMPLE");
    }
}
