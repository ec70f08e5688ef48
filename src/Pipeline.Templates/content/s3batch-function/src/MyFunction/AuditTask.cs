using Pipeline.Core;

namespace MyFunction;

#if (IsDelimited)
/// <summary>What a task's manifest key carries: the object key and, after a <c>|</c>, the policy
/// (<c>photos/cat.jpg</c> or <c>photos/cat.jpg|Portable</c>). The source generator in
/// S3Batch.Pipeline.Core writes <c>Parse</c>, <c>TryParse</c>, <c>Format</c> and <c>ToManifestKey</c>;
/// a mistake in the declaration is a compile error (PLTK001…).</summary>
[TaskKey("{Key}|{Policy?}")]
public sealed partial record AuditTask(string Key, KeyPolicy Policy = KeyPolicy.Safe);
#elif (IsJson)
/// <summary>What a task's manifest key carries: a JSON object with the object key and the policy
/// (<c>{"key": "photos/cat.jpg", "policy": "Portable"}</c>; <c>policy</c> may be left out). The
/// source generator in S3Batch.Pipeline.Core writes <c>Parse</c>, <c>TryParse</c>, <c>Format</c> and
/// <c>ToManifestKey</c>; a mistake in the declaration is a compile error (PLTK001…).</summary>
[TaskKey(TaskKeyFormat.Json)]
public sealed partial record AuditTask(string Key, KeyPolicy Policy = KeyPolicy.Safe);
#else
/// <summary>What a task's manifest key carries: the whole key is the object key. The source
/// generator in S3Batch.Pipeline.Core writes <c>Parse</c>, <c>TryParse</c>, <c>Format</c> and
/// <c>ToManifestKey</c>; a mistake in the declaration is a compile error (PLTK001…).</summary>
[TaskKey]
public sealed partial record AuditTask(string Key)
{
    /// <summary>The policy every key is held to.</summary>
    public KeyPolicy Policy => KeyPolicy.Safe;
}
#endif

/// <summary>Which characters an object key may use, after AWS's object key naming guidelines.</summary>
public enum KeyPolicy
{
    /// <summary>Only the characters AWS lists as safe: <c>0-9 a-z A-Z</c> and <c>/ ! - _ . * ' ( )</c>.</summary>
    Safe,

    /// <summary>Anything but the characters AWS says to avoid (<c>\ { } ^ % ` [ ] " &lt; &gt; ~ # |</c>),
    /// ASCII control characters and U+0080–U+00FF.</summary>
    Portable,
}
