using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using LanguageExt;

namespace Pipeline.S3.Aws;

/// <summary>
/// The port over AWSSDK.S3: real AWS, or any S3-compatible endpoint given by
/// <see cref="S3EndpointOptions"/>. Every SDK exception is turned into an <see cref="S3Error"/> by
/// <see cref="AwsFailures.FromException"/> here; only the caller's own cancellation escapes.
/// </summary>
public sealed class AwsObjectStore : IObjectStore, IDisposable
{
    private const string NullVersion = "null";

    /// <summary>HttpClient's default, which the SDK keeps when no timeout is configured.</summary>
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly TimeSpan _bodyTimeout;

    /// <summary>Wraps an existing client. Without the adapter's HTTP handler (see <see cref="Create"/>)
    /// the delete-marker flag of errors cannot be seen and is always false.</summary>
    public AwsObjectStore(IAmazonS3 client, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _ownsClient = ownsClient;
        _bodyTimeout = client.Config?.Timeout is { } timeout && timeout > TimeSpan.Zero ? timeout : DefaultTimeout;
    }

    /// <summary>
    /// Creates a store with its own client. With a custom endpoint: path style as asked, the region
    /// from the options or the SDK's chain (else us-east-1), and request checksums and response
    /// validation only when required — S3-compatible servers such as Ceph RGW reject the v4 SDK's
    /// default aws-chunked uploads with a CRC32 trailer (400 XAmzContentSHA256Mismatch) — and no
    /// <c>Expect: 100-continue</c> on uploads (see <see cref="NoExpectContinueHandler"/>).
    /// </summary>
    /// <param name="options">The endpoint, region and addressing style, and optionally an HTTP handler
    /// wrapper, the SDK's retry count and the request timeout (see <see cref="S3EndpointOptions"/>).</param>
    /// <param name="credentials">Explicit credentials; null (the normal case) uses the SDK's default chain.</param>
    public static AwsObjectStore Create(S3EndpointOptions options, AWSCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var customEndpoint = !string.IsNullOrEmpty(options.EndpointUrl);
        var config = new AmazonS3Config
        {
            // S3-compatible servers get no Expect: 100-continue: Ceph RGW desynchronises a
            // keep-alive connection after rejecting such a PUT (see NoExpectContinueHandler).
            HttpClientFactory = new ResponseHeaderCapture.Factory(options.WrapHandler, sendExpectContinue: !customEndpoint),
            ForcePathStyle = options.ForcePathStyle,
        };
        if (options.MaxErrorRetry is { } retries)
        {
            config.MaxErrorRetry = retries;
            config.MaxStaleConnectionRetries = retries;
        }

        if (options.Timeout is { } timeout)
        {
            config.Timeout = timeout;
        }

        if (customEndpoint)
        {
            config.ServiceURL = options.EndpointUrl;
            config.AuthenticationRegion = options.Region ?? FallbackRegionFactory.GetRegionEndpoint()?.SystemName ?? "us-east-1";
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        else if (!string.IsNullOrEmpty(options.Region))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        return new AwsObjectStore(credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config), ownsClient: true);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask<Fin<IReadOnlyList<string>>> ListBucketsAsync(CancellationToken cancellationToken) =>
        Call<IReadOnlyList<string>>(
            async () =>
            {
                var response = await _client.ListBucketsAsync(new ListBucketsRequest(), cancellationToken).ConfigureAwait(false);
                var names = new List<string>();
                foreach (var bucket in response.Buckets ?? [])
                {
                    names.Add(bucket.BucketName);
                }

                names.Sort(StringComparer.Ordinal);
                return names;
            },
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<Fin<Unit>> CreateBucketAsync(string bucket, CancellationToken cancellationToken) =>
        Call(
            async () =>
            {
                await _client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
                return Unit.Default;
            },
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<Fin<BucketVersioning>> GetBucketVersioningAsync(string bucket, CancellationToken cancellationToken) =>
        Call(
            async () =>
            {
                var response = await _client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
                var status = response.VersioningConfig?.Status;
                return status == VersionStatus.Enabled ? BucketVersioning.Enabled
                    : status == VersionStatus.Suspended ? BucketVersioning.Suspended
                    : BucketVersioning.Unversioned;
            },
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<Fin<Unit>> SetBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken cancellationToken)
    {
        if (state is not (BucketVersioning.Enabled or BucketVersioning.Suspended))
        {
            return ValueTask.FromResult<Fin<Unit>>(S3ErrorCodes.InvalidArgumentError("versioning can only be set to Enabled or Suspended"));
        }

        return Call(
            async () =>
            {
                await _client.PutBucketVersioningAsync(
                    new PutBucketVersioningRequest
                    {
                        BucketName = bucket,
                        VersioningConfig = new S3BucketVersioningConfig { Status = state == BucketVersioning.Enabled ? VersionStatus.Enabled : VersionStatus.Suspended },
                    },
                    cancellationToken).ConfigureAwait(false);
                return Unit.Default;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<Fin<ObjectHead>> HeadObjectAsync(ObjectRef target, CancellationToken cancellationToken) =>
        Call(
            async () =>
            {
                var response = await _client.GetObjectMetadataAsync(
                    new GetObjectMetadataRequest { BucketName = target.Bucket, Key = target.Key, VersionId = target.VersionId },
                    cancellationToken).ConfigureAwait(false);
                return new ObjectHead(
                    target.Key,
                    Version(response.VersionId),
                    Quoted(response.ETag),
                    response.ContentLength,
                    Time(response.LastModified),
                    response.Headers?.ContentType,
                    SdkValues.Metadata(response.Metadata),
                    StorageClasses.OrStandard(response.StorageClass?.Value),
                    Text(response.ReplicationStatus?.Value),
                    Text(response.ServerSideEncryptionMethod?.Value),
                    Text(response.ServerSideEncryptionKeyManagementServiceKeyId),
                    IsTrue(response.BucketKeyEnabled),
                    Text(response.ServerSideEncryptionCustomerMethod?.Value));
            },
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<Fin<ObjectContent>> GetObjectAsync(ObjectRef target, CancellationToken cancellationToken) =>
        Call(
            async () =>
            {
                var response = await _client.GetObjectAsync(
                    new GetObjectRequest { BucketName = target.Bucket, Key = target.Key, VersionId = target.VersionId },
                    cancellationToken).ConfigureAwait(false);
                var head = new ObjectHead(
                    target.Key,
                    Version(response.VersionId),
                    Quoted(response.ETag),
                    response.ContentLength,
                    Time(response.LastModified),
                    response.Headers?.ContentType,
                    SdkValues.Metadata(response.Metadata),
                    StorageClasses.OrStandard(response.StorageClass?.Value),
                    Text(response.ReplicationStatus?.Value),
                    Text(response.ServerSideEncryptionMethod?.Value),
                    Text(response.ServerSideEncryptionKeyManagementServiceKeyId),
                    IsTrue(response.BucketKeyEnabled),
                    Text(response.ServerSideEncryptionCustomerMethod?.Value));
                return new ObjectContent(head, new IdleTimeoutStream(response.ResponseStream, _bodyTimeout));
            },
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<Fin<PutResult>> PutObjectAsync(string bucket, string key, Stream content, PutOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return Call(
            async () =>
            {
                // SigV4 over plain HTTP signs the payload's SHA-256, so the SDK must be able to
                // rewind; a forward-only stream is buffered first.
                var body = content;
                MemoryStream? buffer = null;
                if (!content.CanSeek)
                {
                    buffer = new MemoryStream();
                    await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                    buffer.Position = 0;
                    body = buffer;
                }

                try
                {
                    var request = new PutObjectRequest
                    {
                        BucketName = bucket,
                        Key = key,
                        InputStream = body,
                        AutoCloseStream = false,
                        ContentType = options?.ContentType,
                    };
                    if (options?.StorageClass is { } storageClass)
                    {
                        request.StorageClass = S3StorageClass.FindValue(storageClass);
                    }

                    if (options?.Metadata is { } metadata)
                    {
                        foreach (var (name, value) in metadata)
                        {
                            request.Metadata[name] = value;
                        }
                    }

                    var response = await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
                    return new PutResult(Quoted(response.ETag), Version(response.VersionId));
                }
                finally
                {
                    if (buffer is not null)
                    {
                        await buffer.DisposeAsync().ConfigureAwait(false);
                    }
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<Fin<DeleteResult>> DeleteObjectAsync(ObjectRef target, CancellationToken cancellationToken) =>
        Call(
            async () =>
            {
                var response = await _client.DeleteObjectAsync(
                    new DeleteObjectRequest { BucketName = target.Bucket, Key = target.Key, VersionId = target.VersionId },
                    cancellationToken).ConfigureAwait(false);
                return new DeleteResult(Version(response.VersionId), IsTrue(response.DeleteMarker));
            },
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<Fin<CopyResult>> CopyObjectAsync(ObjectRef source, string destinationBucket, string destinationKey, CancellationToken cancellationToken) =>
        Call(
            async () =>
            {
                var response = await _client.CopyObjectAsync(
                    new CopyObjectRequest
                    {
                        SourceBucket = source.Bucket,
                        SourceKey = source.Key,
                        SourceVersionId = source.VersionId,
                        DestinationBucket = destinationBucket,
                        DestinationKey = destinationKey,
                    },
                    cancellationToken).ConfigureAwait(false);
                return new CopyResult(Quoted(response.ETag), Version(response.VersionId), Version(response.SourceVersionId), ParseTime(response.LastModified));
            },
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<Fin<ObjectListing>> ListObjectsAsync(Pipeline.S3.ListObjectsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Call(
            async () =>
            {
                var response = await _client.ListObjectsV2Async(
                    new ListObjectsV2Request
                    {
                        BucketName = request.Bucket,
                        Prefix = request.Prefix,
                        ContinuationToken = request.ContinuationToken,
                        StartAfter = request.StartAfter,
                        MaxKeys = Math.Clamp(request.MaxKeys, 1, 1000),
                    },
                    cancellationToken).ConfigureAwait(false);
                var objects = new List<ObjectSummary>(response.S3Objects?.Count ?? 0);
                foreach (var o in response.S3Objects ?? [])
                {
                    objects.Add(new ObjectSummary(o.Key, Quoted(o.ETag), o.Size ?? 0, Time(o.LastModified), StorageClasses.OrStandard(o.StorageClass?.Value)));
                }

                var truncated = IsTrue(response.IsTruncated);
                return new ObjectListing(objects, truncated, truncated ? response.NextContinuationToken : null);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<Fin<VersionListing>> ListObjectVersionsAsync(ListVersionsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Call(
            async () =>
            {
                var response = await _client.ListVersionsAsync(
                    new Amazon.S3.Model.ListVersionsRequest
                    {
                        BucketName = request.Bucket,
                        Prefix = request.Prefix,
                        KeyMarker = request.KeyMarker,
                        VersionIdMarker = request.VersionIdMarker,
                        MaxKeys = Math.Clamp(request.MaxKeys, 1, 1000),
                    },
                    cancellationToken).ConfigureAwait(false);
                var versions = new List<ObjectVersion>(response.Versions?.Count ?? 0);
                foreach (var v in response.Versions ?? [])
                {
                    var marker = IsTrue(v.IsDeleteMarker);
                    versions.Add(new ObjectVersion(
                        v.Key,
                        string.IsNullOrEmpty(v.VersionId) ? NullVersion : v.VersionId,
                        IsTrue(v.IsLatest),
                        marker,
                        marker ? null : Quoted(v.ETag),
                        v.Size ?? 0,
                        Time(v.LastModified),
                        StorageClasses.OrStandard(v.StorageClass?.Value)));
                }

                var truncated = IsTrue(response.IsTruncated);
                return new VersionListing(versions, truncated, truncated ? response.NextKeyMarker : null, truncated ? response.NextVersionIdMarker : null);
            },
            cancellationToken);
    }

    private static async ValueTask<Fin<T>> Call<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        var captured = ResponseHeaderCapture.Begin();
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var error = AwsFailures.FromException(e);
            return error.StatusCode != 0 && (captured.DeleteMarker || captured.VersionId is not null)
                ? new S3Error(error.ErrorCode, error.StatusCode, error.ServerMessage, captured.DeleteMarker, captured.VersionId)
                : error;
        }
    }

    /// <summary>AWS always quotes ETags; Ceph RGW leaves the quotes off in CopyObjectResult. One
    /// spelling for every caller.</summary>
    private static string Quoted(string? etag) =>
        string.IsNullOrEmpty(etag) ? string.Empty : etag[0] == '"' ? etag : "\"" + etag + "\"";

    private static bool IsTrue(bool? value) => value == true;

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    private static string? Version(string? versionId) => string.IsNullOrEmpty(versionId) ? null : versionId;

    /// <summary>A header's value, or null when the server sent none (the SDK gives an empty value then).</summary>
    private static string? Text(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static DateTimeOffset ParseTime(string? value) =>
        DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUniversalTime()
            : DateTimeOffset.MinValue;

    private static DateTimeOffset Time(DateTime? value) => value is { } t
        ? new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime())
        : DateTimeOffset.MinValue;
}
