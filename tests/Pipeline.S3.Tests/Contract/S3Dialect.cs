namespace Pipeline.S3.Tests.Contract;

/// <summary>
/// The ONE place the contract suite knows where a server differs from AWS. Every flag is named for
/// the AWS behaviour: true means the server behaves as AWS does. The embedded store matches AWS in
/// all of these; Ceph RGW 16.2.15 differs as documented (reference/real-s3.md):
/// <list type="bullet">
/// <item>HEAD/GET <c>?versionId=&lt;delete marker&gt;</c>: AWS 405 MethodNotAllowed + <c>x-amz-delete-marker: true</c>; RGW 404 NoSuchKey, no header.</item>
/// <item>GET/HEAD of a key whose latest version is a marker: AWS 404 + the header; RGW 404 without it.</item>
/// <item>CopyObject: AWS returns the copy's <c>x-amz-version-id</c>; RGW returns none.</item>
/// <item>GET of a permanently deleted version: AWS NoSuchVersion; RGW NoSuchKey.</item>
/// <item>HEAD errors: AWS sends no body, so a HEAD 404 has no S3 code (the SDK says "NotFound"); the embedded store names it.</item>
/// <item>Storage classes: RGW accepts only the classes its placement target lists (STANDARD by default;
/// tests/s3/start-s3.sh adds the six others of S3 Batch Operations' filter) and refuses another with 400
/// InvalidArgument, where AWS says InvalidStorageClass; a CopyObject that names no class keeps the
/// source's class on RGW, where AWS writes STANDARD.</item>
/// </list>
/// Not a flag, because the adapter avoids it and the contract never sees it: RGW rejects a PUT that
/// carries <c>Expect: 100-continue</c> (a PUT to a missing bucket) with Keep-Alive but without
/// discarding the body the client may still send; .NET sends small bodies anyway, RGW parses them as
/// the next request and answers 400, which the next call on that connection could receive. The AWS
/// adapter sends no 100-continue to custom endpoints (Aws/NoExpectContinueHandler.cs;
/// AwsConnectionReuseTests pins it).
/// </summary>
/// <param name="Name">The server, for messages.</param>
/// <param name="MarkerVersionReadIs405WithHeader">HEAD/GET of a delete-marker version answers 405 with the header.</param>
/// <param name="LatestMarkerReadHasHeader">GET/HEAD of a key whose latest is a marker carries the header.</param>
/// <param name="CopyReturnsVersionId">CopyObject returns the new version's id.</param>
/// <param name="DeletedVersionIsNoSuchVersion">GET of a deleted version id answers NoSuchVersion.</param>
/// <param name="HeadErrorsNameTheCode">HEAD failures carry the precise S3 code (NoSuchKey/NoSuchBucket).</param>
/// <param name="UnknownStorageClassIsInvalidStorageClass">A PUT naming an unknown storage class answers 400 InvalidStorageClass.</param>
/// <param name="CopyWithoutAClassIsStandard">A CopyObject naming no storage class writes a STANDARD copy.</param>
public sealed record S3Dialect(
    string Name,
    bool MarkerVersionReadIs405WithHeader,
    bool LatestMarkerReadHasHeader,
    bool CopyReturnsVersionId,
    bool DeletedVersionIsNoSuchVersion,
    bool HeadErrorsNameTheCode,
    bool UnknownStorageClassIsInvalidStorageClass,
    bool CopyWithoutAClassIsStandard)
{
    /// <summary>The embedded store: AWS's behaviour, with precise HEAD codes.</summary>
    public static readonly S3Dialect Embedded = new("embedded", true, true, true, true, HeadErrorsNameTheCode: true, UnknownStorageClassIsInvalidStorageClass: true, CopyWithoutAClassIsStandard: true);

    /// <summary>Ceph RGW 16.2.15 through AWSSDK.S3.</summary>
    public static readonly S3Dialect CephRgw = new("ceph-rgw", false, false, false, false, HeadErrorsNameTheCode: false, UnknownStorageClassIsInvalidStorageClass: false, CopyWithoutAClassIsStandard: false);
}
