using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using Pipeline.S3.Embedded;
using Pipeline.S3.Tests.Contract;
using Xunit;

namespace Pipeline.S3.Tests;

/// <summary>The embedded store's storage classes beyond the contract: a catalogue written before
/// versions kept their class is upgraded when opened (its versions read as STANDARD), and the class
/// survives a reopen.</summary>
public sealed class EmbeddedStorageClassTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "pipeline-s3-storage-class", Guid.NewGuid().ToString("N"));

    public EmbeddedStorageClassTests() => Directory.CreateDirectory(_work);

    private string Root => Path.Combine(_work, "root");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task ACatalogueWithoutTheColumn_GetsIt_AndItsVersionsAreStandard()
    {
        string bucket;
        using (var store = EmbeddedObjectStore.Open(Root))
        {
            bucket = await Buckets.CreateAsync(store, versioned: false);
            (await store.PutBytesAsync(bucket, "old", Encoding.UTF8.GetBytes("old"), null, CancellationToken.None)).Ok();
        }

        // The catalogue as an earlier version of the store made it: no storage_class column.
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(Root, "store.db"), Pooling = false }.ToString()))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "ALTER TABLE versions DROP COLUMN storage_class";
            drop.ExecuteNonQuery();
        }

        using var reopened = EmbeddedObjectStore.Open(Root);
        Assert.Equal("STANDARD", (await reopened.HeadObjectAsync(new ObjectRef(bucket, "old"), CancellationToken.None)).Ok().StorageClass);
        (await reopened.PutBytesAsync(bucket, "new", Encoding.UTF8.GetBytes("new"), new PutOptions(StorageClass: "DEEP_ARCHIVE"), CancellationToken.None)).Ok();
        Assert.Equal(
            [("new", "DEEP_ARCHIVE"), ("old", "STANDARD")],
            (await reopened.ListAllObjectsAsync(bucket, null, CancellationToken.None)).Ok().Select(o => (o.Key, o.StorageClass)).ToArray());
    }

    [Fact]
    public async Task StorageClass_SurvivesAClose_AndReopen()
    {
        string bucket;
        using (var store = EmbeddedObjectStore.Open(Root))
        {
            bucket = await Buckets.CreateAsync(store, versioned: true);
            (await store.PutBytesAsync(bucket, "k", Encoding.UTF8.GetBytes("x"), new PutOptions(StorageClass: "ONEZONE_IA"), CancellationToken.None)).Ok();
        }

        using var reopened = EmbeddedObjectStore.Open(Root);
        Assert.Equal("ONEZONE_IA", Assert.Single((await reopened.ListAllVersionsAsync(bucket, null, CancellationToken.None)).Ok()).StorageClass);
    }
}
