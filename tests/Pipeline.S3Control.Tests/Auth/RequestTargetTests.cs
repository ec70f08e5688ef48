using Pipeline.S3Control.Auth;

namespace Pipeline.S3Control.Tests.Auth;

public sealed class RequestTargetTests
{
    [Theory]
    [InlineData("/v20180820/jobs?jobStatuses=Active&maxResults=5", "/v20180820/jobs", "jobStatuses=Active&maxResults=5", null)]
    [InlineData("/v20180820/jobs", "/v20180820/jobs", "", null)]
    [InlineData("http://123456789012.s3control.local:8080/v20180820/jobs?maxResults=5", "/v20180820/jobs", "maxResults=5", "123456789012.s3control.local:8080")]
    [InlineData("HTTPS://h/base/v20180820/jobs/a%2Fb", "/base/v20180820/jobs/a%2Fb", "", "h")]
    [InlineData("http://h:1?x=1", "/", "x=1", "h:1")]
    [InlineData("http://h:1", "/", "", "h:1")]
    [InlineData("/p?a=1#frag", "/p", "a=1", null)]
    [InlineData("/odd://path?q", "/odd://path", "q", null)]
    public void Parse_SplitsOriginAndAbsoluteForm(string raw, string path, string query, string? authority) =>
        Assert.Equal(new RequestTarget(path, query, authority), RequestTarget.Parse(raw));

    [Fact]
    public void Parameters_DecodePercentEscapes_KeepPlus_AndStrayPercents()
    {
        var target = RequestTarget.Parse("/x?statusUpdateReason=no%20longer%20needed%20%26%20stuff&a+b=c+d&e=%zz%4&flag&&k=%C3%A9");
        Assert.Equal(
            new List<KeyValuePair<string, string>>
            {
                new("statusUpdateReason", "no longer needed & stuff"),
                new("a+b", "c+d"),
                new("e", "%zz%4"),
                new("flag", ""),
                new("k", "é"),
            },
            target.Parameters());
    }

    [Fact]
    public void DecodeSegment_KeepsPlusAndDecodesSlash() => Assert.Equal("a/b+c d", RequestTarget.DecodeSegment("a%2Fb+c%20d"));

    [Theory]
    [InlineData("b=2&a=1", "a=1&b=2")]
    [InlineData("jobStatuses=Complete&jobStatuses=Active", "jobStatuses=Active&jobStatuses=Complete")]
    [InlineData("q=~x&q=%25y", "q=%25y&q=~x")]
    [InlineData("a-b=1&a=2", "a=2&a-b=1")]
    [InlineData("r=no+longer&s=%7e%2a%20", "r=no%2Blonger&s=~%2A%20")]
    [InlineData("flag&x=%e2%98%83", "flag=&x=%E2%98%83")]
    [InlineData("X-Amz-Signature=abc&b=1", "b=1")]
    public void CanonicalQuery_DecodesReencodesAndSortsByEncodedNameThenValue(string raw, string canonical) =>
        Assert.Equal(canonical, SigV4Canonical.CanonicalQuery(raw, "X-Amz-Signature"));

    [Theory]
    [InlineData("  a   b  ", "a b")]
    [InlineData("a\t\tb", "a b")]
    [InlineData("ab", "ab")]
    [InlineData("   ", "")]
    public void CanonicalHeaderValue_TrimsAndCollapsesWhiteSpace(string value, string canonical) =>
        Assert.Equal(canonical, SigV4Canonical.CanonicalHeaderValue(value));
}
