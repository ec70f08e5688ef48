using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using LanguageExt;

namespace Pipeline.S3;

/// <summary>
/// The object-store port: the only way the rest of Pipeline touches objects. Two adapters:
/// <c>Pipeline.S3.Aws.AwsObjectStore</c> (any S3 endpoint through AWSSDK.S3) and
/// <c>Pipeline.S3.Embedded.EmbeddedObjectStore</c> (durable, versioned, on local disk).
/// </summary>
/// <remarks>
/// Every expected failure is a value: the <c>Fin</c> holds an <see cref="S3Error"/> (S3 code, HTTP
/// status, message, delete-marker flag) — a failure of the server, of the network, or of the
/// embedded store's own disk and database. Only the caller's own cancellation is thrown (as
/// <see cref="System.OperationCanceledException"/>), and bugs (a null argument).
/// <see cref="S3Outcomes.ToTaskOutcome"/> turns any of these errors into a task's outcome.
/// </remarks>
public interface IObjectStore
{
    /// <summary>The buckets, by name.</summary>
    ValueTask<Fin<IReadOnlyList<string>>> ListBucketsAsync(CancellationToken cancellationToken);

    /// <summary>Creates a bucket (unversioned).</summary>
    ValueTask<Fin<Unit>> CreateBucketAsync(string bucket, CancellationToken cancellationToken);

    /// <summary>Reads a bucket's versioning state.</summary>
    ValueTask<Fin<BucketVersioning>> GetBucketVersioningAsync(string bucket, CancellationToken cancellationToken);

    /// <summary>Enables or suspends versioning (<see cref="BucketVersioning.Unversioned"/> is not a state one can set).</summary>
    ValueTask<Fin<Unit>> SetBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken cancellationToken);

    /// <summary>HEAD of the current version, or of <see cref="ObjectRef.VersionId"/>.</summary>
    ValueTask<Fin<ObjectHead>> HeadObjectAsync(ObjectRef target, CancellationToken cancellationToken);

    /// <summary>GET of the current version, or of <see cref="ObjectRef.VersionId"/>. The caller disposes the result.</summary>
    ValueTask<Fin<ObjectContent>> GetObjectAsync(ObjectRef target, CancellationToken cancellationToken);

    /// <summary>PUT: writes <paramref name="content"/> from its current position to its end. The
    /// store does not dispose the stream.</summary>
    ValueTask<Fin<PutResult>> PutObjectAsync(string bucket, string key, Stream content, PutOptions? options, CancellationToken cancellationToken);

    /// <summary>DELETE of the current version (a marker in a versioned bucket), or permanently of
    /// <see cref="ObjectRef.VersionId"/> (deleting a marker makes the previous version current).</summary>
    ValueTask<Fin<DeleteResult>> DeleteObjectAsync(ObjectRef target, CancellationToken cancellationToken);

    /// <summary>COPY of the source's current version (or <see cref="ObjectRef.VersionId"/>) to
    /// <paramref name="destinationBucket"/>/<paramref name="destinationKey"/>, keeping its content
    /// type and metadata. The copy is STANDARD, whatever the source's storage class (S3's default for
    /// a copy that names no class).</summary>
    ValueTask<Fin<CopyResult>> CopyObjectAsync(ObjectRef source, string destinationBucket, string destinationKey, CancellationToken cancellationToken);

    /// <summary>One page of the current objects (ListObjectsV2).</summary>
    ValueTask<Fin<ObjectListing>> ListObjectsAsync(ListObjectsRequest request, CancellationToken cancellationToken);

    /// <summary>One page of versions and delete markers (ListObjectVersions).</summary>
    ValueTask<Fin<VersionListing>> ListObjectVersionsAsync(ListVersionsRequest request, CancellationToken cancellationToken);
}
