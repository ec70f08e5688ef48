using System.Text;
using Xunit;

namespace Pipeline.Engine.Tests;

public sealed class InventoryManifestDocumentTests
{
    private const string Known = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, ObjectAccessControlList, ObjectOwner";

    /// <summary>The reference's example manifest.json (s3control-api.md §8.2), as written.</summary>
    private const string Reference = """
        {
          "sourceBucket": "example-source-bucket",
          "destinationBucket": "arn:aws:s3:::example-inventory-destination-bucket",
          "version": "2016-11-30",
          "creationTimestamp": "1514944800000",
          "fileFormat": "CSV",
          "fileSchema": "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass",
          "files": [
            { "key": "inventory/example-source-bucket/config-id/data/939c6d46-85a9-4ba8-87bd-9db705a579ce.csv.gz",
              "size": 2147483647, "MD5checksum": "f11166069f1990abeb9c97ace9cdfabc" }
          ]
        }
        """;

    [Fact]
    public void Parse_TheReferenceExample_ReadsEveryField()
    {
        var document = TestStore.Ok(InventoryManifestDocument.Parse(Encoding.UTF8.GetBytes(Reference)));

        Assert.Equal("example-source-bucket", document.SourceBucket);
        Assert.Equal("arn:aws:s3:::example-inventory-destination-bucket", document.DestinationBucketArn);
        Assert.Equal("example-inventory-destination-bucket", document.DestinationBucket);
        Assert.Equal("2016-11-30", document.Version);
        Assert.Equal("1514944800000", document.CreationTimestamp);
        Assert.Equal("CSV", document.FileFormat);
        Assert.Equal(["Bucket", "Key", "VersionId", "IsLatest", "IsDeleteMarker", "Size", "LastModifiedDate", "ETag", "StorageClass"], document.FileSchema);
        var file = Assert.Single(document.Files);
        Assert.Equal(new InventoryDataFile("inventory/example-source-bucket/config-id/data/939c6d46-85a9-4ba8-87bd-9db705a579ce.csv.gz", 2147483647, "f11166069f1990abeb9c97ace9cdfabc"), file);
        Assert.Equal(2, document.ColumnIndex("VersionId"));
        Assert.Equal(-1, document.ColumnIndex("ObjectOwner"));
    }

    [Fact]
    public void Parse_EveryKnownColumnInAnyOrderAfterBucketAndKey_IsAccepted()
    {
        var schema = "Bucket, Key, ObjectOwner, ChecksumAlgorithm, Size,IsLatest ,  VersionId";
        var json = Reference.Replace("Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass", schema, System.StringComparison.Ordinal);

        var document = TestStore.Ok(InventoryManifestDocument.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(["Bucket", "Key", "ObjectOwner", "ChecksumAlgorithm", "Size", "IsLatest", "VersionId"], document.FileSchema);
        Assert.Equal(Known, string.Join(", ", InventoryManifestDocument.KnownColumns));
    }

    public static TheoryData<string, string> BadDocuments => new()
    {
        { "not json", "not JSON: 'not json' is an invalid JSON literal. Expected the literal 'null'. LineNumber: 0 | BytePositionInLine: 1." },
        { "[1]", "not a manifest.json: expected a JSON object" },
        { "{}", "destinationBucket: is required; fileFormat: is required; fileSchema: is required; files: is required" },
        { Edit("\"files\": [", "\"files\": 7, \"x\": ["), "files: must be an array of {key, size, MD5checksum}" },
        { Edit("\"fileFormat\": \"CSV\"", "\"fileFormat\": \"ORC\""), "fileFormat: ORC inventories are not supported: Batch Operations reads CSV inventories only (configure the inventory with the CSV format)" },
        { Edit("\"fileFormat\": \"CSV\"", "\"fileFormat\": \"Parquet\""), "fileFormat: Parquet inventories are not supported: Batch Operations reads CSV inventories only (configure the inventory with the CSV format)" },
        { Edit("\"fileFormat\": \"CSV\"", "\"fileFormat\": \"TSV\""), "fileFormat: must be \"CSV\", got \"TSV\"" },
        { Edit("arn:aws:s3:::example-inventory-destination-bucket", "example-inventory-destination-bucket"), "destinationBucket: must be a bucket ARN (arn:aws:s3:::BUCKET), got \"example-inventory-destination-bucket\"" },
        { Edit("\"destinationBucket\": \"arn:aws:s3:::example-inventory-destination-bucket\"", "\"destinationBucket\": 5"), "destinationBucket: must be a string, got 5" },
        { Edit("ETag, StorageClass", "ETag, Colour"), $"fileSchema: unknown column \"Colour\" (known: {Known})" },
        { Edit("Bucket, Key, VersionId,", "Key, Bucket, VersionId,"), "fileSchema: must start with Bucket, Key (the columns of every inventory), got \"Key, Bucket, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass\"" },
        { Edit("ETag, StorageClass", "ETag, Size"), "fileSchema: column Size is given twice" },
        { Edit("\"key\": \"inventory/example-source-bucket/config-id/data/939c6d46-85a9-4ba8-87bd-9db705a579ce.csv.gz\",", string.Empty), "files[0].key: is required" },
        { Edit(", \"MD5checksum\": \"f11166069f1990abeb9c97ace9cdfabc\"", string.Empty), "files[0].MD5checksum: is required" },
        { Edit("f11166069f1990abeb9c97ace9cdfabc", "f1116606"), "files[0].MD5checksum: must be 32 hex digits (an MD5), got \"f1116606\"" },
        { Edit("\"size\": 2147483647", "\"size\": \"big\""), "files[0].size: must be a number of bytes, got \"big\"" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public void Parse_BadDocument_NamesTheFieldAndWhy(string json, string message)
    {
        var parsed = InventoryManifestDocument.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(message, parsed.Match(Succ: _ => "parsed", Fail: error => error.Message));
    }

    [Fact]
    public void Parse_InvalidUtf8_IsAnErrorNotAnException()
    {
        var bytes = Encoding.UTF8.GetBytes(Reference.Replace("example-source-bucket\"", "example-source-bucket\u00e9\"", System.StringComparison.Ordinal));
        var at = System.Array.IndexOf(bytes, (byte)0xC3);
        bytes[at + 1] = 0x28; // é's continuation byte replaced: invalid UTF-8

        var parsed = InventoryManifestDocument.Parse(bytes);

        Assert.Equal("not JSON: not UTF-8 text (an invalid byte sequence)", parsed.Match(Succ: _ => "parsed", Fail: error => error.Message));
    }

    private static string Edit(string from, string to)
    {
        Assert.Contains(from, Reference, System.StringComparison.Ordinal);
        return Reference.Replace(from, to, System.StringComparison.Ordinal);
    }
}
