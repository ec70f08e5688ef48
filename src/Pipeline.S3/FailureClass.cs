namespace Pipeline.S3;

/// <summary>What an S3 failure means for a task. A function maps it to a result code with
/// <see cref="S3FailureClassifier.ToResultCode"/>, deciding itself what a missing object means.</summary>
public enum FailureClass
{
    /// <summary>Worth retrying: throttling, 5xx, timeouts, connection failures.</summary>
    Temporary = 0,

    /// <summary>Will fail again: access denied, missing bucket, invalid request, other 4xx.</summary>
    Permanent = 1,

    /// <summary>The object or version is absent (NoSuchKey, NoSuchVersion, a delete marker): the
    /// function decides whether that is success, failure or something to retry.</summary>
    NotFound = 2,
}
