using System.Collections.Frozen;
using System.Collections.Generic;

namespace Pipeline.S3Control;

/// <summary>
/// What the REST-XML encoding of the S3 Control job API needs to know about the model's shapes that
/// the JSON encoding does not (reference §3, from botocore's s3control model): which members are
/// lists (and what their items are called and hold), which are maps (<c>entry/key/value</c>), which
/// scalars are booleans or numbers, which structures may be empty, and the members whose XML name
/// differs from their JSON name (<c>SSES3</c> is <c>&lt;SSE-S3&gt;</c>). One table for both directions.
/// </summary>
public static class S3ControlShapes
{
    /// <summary>The namespace of request and response roots.</summary>
    public const string Namespace = "http://awss3control.amazonaws.com/doc/2018-08-20/";

    /// <summary>The element that holds each item of a list (non-flattened).</summary>
    public const string ListItem = "member";

    /// <summary>List members whose items are structures, with the element each item is written as.</summary>
    public static readonly FrozenDictionary<string, string> StructureLists = new Dictionary<string, string>
    {
        ["Tags"] = ListItem,
        ["TagSet"] = ListItem,
        ["NewObjectTagging"] = ListItem,
        ["AccessControlGrants"] = ListItem,
        ["Grants"] = ListItem,
        ["FailureReasons"] = ListItem,
        ["Jobs"] = ListItem,
        ["MatchAnyObjectEncryption"] = "ObjectEncryption",
    }.ToFrozenDictionary();

    /// <summary>List members whose items are strings (all written as <c>&lt;member&gt;</c>).</summary>
    public static readonly FrozenSet<string> StringLists = new[]
    {
        "Fields", "ObjectReplicationStatuses", "MatchAnyPrefix", "MatchAnySuffix", "MatchAnySubstring", "MatchAnyStorageClass",
    }.ToFrozenSet();

    /// <summary>Map members: <c>&lt;entry&gt;&lt;key/&gt;&lt;value/&gt;&lt;/entry&gt;</c> in XML, an object in JSON.</summary>
    public static readonly FrozenSet<string> Maps = new[] { "UserArguments", "UserMetadata" }.ToFrozenSet();

    /// <summary>Boolean scalars (<c>true</c>/<c>false</c>, lower case).</summary>
    public static readonly FrozenSet<string> Booleans = new[]
    {
        "ConfirmationRequired", "Enabled", "BucketKeyEnabled", "EnableManifestOutput", "EligibleForReplication",
        "BypassGovernanceRetention", "RequesterCharged", "RequesterPays",
    }.ToFrozenSet();

    /// <summary>Integer and long scalars.</summary>
    public static readonly FrozenSet<string> Numbers = new[]
    {
        "Priority", "ExpirationInDays", "ContentLength", "ObjectSizeGreaterThanBytes", "ObjectSizeLessThanBytes",
        "TotalNumberOfTasks", "NumberOfTasksSucceeded", "NumberOfTasksFailed", "ElapsedTimeInActiveSeconds",
    }.ToFrozenSet();

    /// <summary>Structures with no members (or none set), written as an empty element (<c>&lt;S3DeleteObjectTagging /&gt;</c>).
    /// An empty element of any other name is an empty string. <c>SSEKMS</c> and <c>DSSEKMS</c> are here for
    /// <c>MatchAnyObjectEncryption</c>'s filters, whose members are all optional (botocore writes
    /// <c>{"SSEKMS": {}}</c> as <c>&lt;SSE-KMS /&gt;</c>).</summary>
    public static readonly FrozenSet<string> EmptyStructures = new[]
    {
        "S3DeleteObjectTagging", "S3ReplicateObject", "S3ComputeObjectChecksum", "SSES3", "SSEC", "NOTSSE", "SSEKMS", "DSSEKMS",
        "Filter", "KeyNameConstraint", "Timers", "ProgressSummary",
    }.ToFrozenSet();

    /// <summary>JSON member name → XML element name, where they differ.</summary>
    public static readonly FrozenDictionary<string, string> XmlNames = new Dictionary<string, string>
    {
        ["SSES3"] = "SSE-S3",
        ["SSEKMS"] = "SSE-KMS",
        ["DSSEKMS"] = "DSSE-KMS",
        ["SSEC"] = "SSE-C",
        ["NOTSSE"] = "NOT-SSE",
    }.ToFrozenDictionary();

    /// <summary>XML element name → JSON member name (the inverse of <see cref="XmlNames"/>).</summary>
    public static readonly FrozenDictionary<string, string> JsonNames = new Dictionary<string, string>
    {
        ["SSE-S3"] = "SSES3",
        ["SSE-KMS"] = "SSEKMS",
        ["DSSE-KMS"] = "DSSEKMS",
        ["SSE-C"] = "SSEC",
        ["NOT-SSE"] = "NOTSSE",
    }.ToFrozenDictionary();

    /// <summary>The XML element of JSON member <paramref name="jsonName"/>.</summary>
    public static string XmlName(string jsonName) => XmlNames.TryGetValue(jsonName, out var xml) ? xml : jsonName;

    /// <summary>The JSON member of XML element <paramref name="xmlName"/>.</summary>
    public static string JsonName(string xmlName) => JsonNames.TryGetValue(xmlName, out var json) ? json : xmlName;
}
