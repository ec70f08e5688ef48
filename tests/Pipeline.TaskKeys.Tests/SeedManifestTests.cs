using System;
using System.Net;
using Pipeline.Core;
using Xunit;

namespace Pipeline.TaskKeys.Tests;

/// <summary>The seed's exact manifest rows, taken from their URL-encoded text.</summary>
public class SeedManifestTests
{
    private const string PipeManifest =
        "amzn-s3-demo-bucket,object1key%7Clower\n" +
        "amzn-s3-demo-bucket,object2key%7Cupper\n" +
        "amzn-s3-demo-bucket,object3key%7Creverse\n" +
        "amzn-s3-demo-bucket,object4key%7Cdelete\n";

    private const string JsonManifest =
        "amzn-s3-demo-bucket,%7B%22origKey%22%3A%20%22object1key%22%2C%20%22newKey%22%3A%20%22newObject1Key%22%7D\n" +
        "amzn-s3-demo-bucket,%7B%22origKey%22%3A%20%22object2key%22%2C%20%22newKey%22%3A%20%22newObject2Key%22%7D\n" +
        "amzn-s3-demo-bucket,%7B%22origKey%22%3A%20%22object3key%22%2C%20%22newKey%22%3A%20%22newObject3Key%22%7D\n";

    /// <summary>The decoded key of each row: the CSV key field (URL-encoded, so it holds no comma) form-decoded.</summary>
    private static string[] DecodedKeys(string manifest)
    {
        var rows = manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var keys = new string[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var comma = rows[i].IndexOf(',', StringComparison.Ordinal);
            Assert.Equal("amzn-s3-demo-bucket", rows[i][..comma]);
            keys[i] = KeyDecoder.FormDecode(rows[i][(comma + 1)..]);
        }

        return keys;
    }

    [Fact]
    public void Parse_SeedPipeManifest_GivesLowerRevision() =>
        Assert.Equal(new RevisionTask("object1key", Revision.Lower), FinAssert.Succ(RevisionTask.Parse(DecodedKeys(PipeManifest)[0])));

    [Fact]
    public void Parse_SeedPipeManifest_GivesEveryRowsKeyAndRevision()
    {
        RevisionTask[] expected =
        [
            new("object1key", Revision.Lower),
            new("object2key", Revision.Upper),
            new("object3key", Revision.Reverse),
            new("object4key", Revision.Delete),
        ];
        var keys = DecodedKeys(PipeManifest);
        Assert.Equal(expected.Length, keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(expected[i], FinAssert.Succ(RevisionTask.Parse(keys[i])));
        }
    }

    [Fact]
    public void Parse_SeedJsonManifest_GivesOrigKeyAndNewKey()
    {
        var keys = DecodedKeys(JsonManifest);
        Assert.Equal("{\"origKey\": \"object1key\", \"newKey\": \"newObject1Key\"}", keys[0]);
        Assert.Equal(3, keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            var n = i + 1;
            Assert.Equal(new CopyTask($"object{n}key", $"newObject{n}Key"), FinAssert.Succ(CopyTask.Parse(keys[i])));
        }
    }

    [Fact]
    public void ToManifestKey_SeedRecords_DecodesBackToTheSameRecords()
    {
        var revision = new RevisionTask("object1key", Revision.Lower);
        var copy = new CopyTask("object1key", "newObject1Key");
        var pipeKey = FinAssert.Succ(revision.ToManifestKey());
        var jsonKey = FinAssert.Succ(copy.ToManifestKey());
        Assert.Equal("object1key%7CLower", pipeKey);
        Assert.Equal("%7B%22origKey%22%3A%22object1key%22%2C%22newKey%22%3A%22newObject1Key%22%7D", jsonKey);
        Assert.Equal(revision, FinAssert.Succ(RevisionTask.Parse(KeyDecoder.FormDecode(pipeKey))));
        Assert.Equal(copy, FinAssert.Succ(CopyTask.Parse(WebUtility.UrlDecode(jsonKey))));
    }
}
