using Pipeline.Core;

namespace Pipeline.Functions;

/// <summary>The plain case: the manifest key is the object key.</summary>
[TaskKey]
public sealed partial record ObjectKey(string Key);

/// <summary>The seed's revisions.</summary>
public enum Revision
{
    /// <summary>Lower-case the text.</summary>
    Lower,

    /// <summary>Upper-case the text.</summary>
    Upper,

    /// <summary>Reverse the text (by text element, so accents and emoji survive).</summary>
    Reverse,

    /// <summary>Delete the object.</summary>
    Delete,
}

/// <summary>The seed's pipe-delimited key: <c>object1key|lower</c>.</summary>
[TaskKey("{Key}|{Revision}")]
public sealed partial record RevisionKey(string Key, Revision Revision);

/// <summary>The seed's JSON key: <c>{"origKey": "object1key", "newKey": "newObject1Key"}</c>.</summary>
[TaskKey(TaskKeyFormat.Json)]
public sealed partial record CopyKey(string OrigKey, string NewKey);
