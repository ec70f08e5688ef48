using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Pipeline.Core;
using Pipeline.S3;
using Xunit;

namespace Pipeline.Engine.Tests;

public sealed class ManifestBuilderTests
{
    [Theory]
    [InlineData("a b,c", "a%20b%2Cc")]
    [InlineData("dir/plus+é~", "dir/plus%2B%C3%A9~")]
    [InlineData("q\"%", "q%22%25")]
    public void EncodeKey_EncodesEverythingOutsideUnreservedAndSlash(string key, string encoded) =>
        Assert.Equal(encoded, ManifestBuilder.EncodeKey(key));

    [Fact]
    public async Task Build_ThenRun_FunctionSeesTheOriginalKeys()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        foreach (var key in new[] { "a b", "x,y", "p+q", "dir/é" })
        {
            await s.PutAsync(bucket, "data/" + key, "x");
        }

        using var output = new MemoryStream();
        var rows = TestStore.Ok(await ManifestBuilder.WriteAsync(s.Store, new ManifestBuildOptions(bucket, "data/"), output, CancellationToken.None));
        Assert.Equal(4, rows);
        var manifest = Encoding.UTF8.GetString(output.ToArray());
        Assert.Equal($"{bucket},data/a%20b\n{bucket},data/dir/%C3%A9\n{bucket},data/p%2Bq\n{bucket},data/x%2Cy\n", manifest);

        var etag = await s.PutAsync(bucket, "m.csv", manifest);
        var job = Jobs.Parse(Jobs.Json(bucket, "m.csv", etag, bucket));
        var function = new LambdaFunction((_, t, _) => TaskOutcome.Succeeded(t.TaskId, t.Key));
        var result = await JobRunner.RunAsync(job, Jobs.Options(s.Store, new InProcessFunctionEndpoint(function), concurrency: 1));

        Assert.Equal(
            $"{bucket},data/a%20b,,succeeded,200,,data/a b\r\n{bucket},data/dir/%C3%A9,,succeeded,200,,data/dir/é\r\n{bucket},data/p%2Bq,,succeeded,200,,data/p+q\r\n{bucket},data/x%2Cy,,succeeded,200,,\"data/x,y\"\r\n",
            await s.GetTextAsync(bucket, result.WrittenReport!.Results[0].Key));
    }

    [Fact]
    public async Task Build_DeleteMarkers_ListsOnlyMarkersWithVersionIds()
    {
        using var s = TestStore.Embedded();
        var bucket = await s.NewBucketAsync();
        TestStore.Ok(await s.Store.SetBucketVersioningAsync(bucket, BucketVersioning.Enabled, CancellationToken.None));
        await s.PutAsync(bucket, "k", "x");
        var deleted = TestStore.Ok(await s.Store.DeleteObjectAsync(new ObjectRef(bucket, "k"), CancellationToken.None));

        using var markers = new MemoryStream();
        Assert.Equal(1, TestStore.Ok(await ManifestBuilder.WriteAsync(s.Store, new ManifestBuildOptions(bucket, null, ManifestVersions.DeleteMarkers), markers, CancellationToken.None)));
        Assert.Equal($"{bucket},k,{deleted.VersionId}\n", Encoding.UTF8.GetString(markers.ToArray()));

        using var all = new MemoryStream();
        Assert.Equal(2, TestStore.Ok(await ManifestBuilder.WriteAsync(s.Store, new ManifestBuildOptions(bucket, null, ManifestVersions.AllVersionsAndDeleteMarkers), all, CancellationToken.None)));
        using var versions = new MemoryStream();
        Assert.Equal(1, TestStore.Ok(await ManifestBuilder.WriteAsync(s.Store, new ManifestBuildOptions(bucket, null, ManifestVersions.AllVersions), versions, CancellationToken.None)));
    }
}
