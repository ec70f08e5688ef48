using System;
using Pipeline.Core;

namespace Pipeline.TaskKeys.Tests;

/// <summary>The seed's revision operations (pipe-delimited manifest).</summary>
public enum Revision
{
    Lower,
    Upper,
    Reverse,
    Delete,
}

/// <summary>The seed's pipe form: <c>object1key|lower</c>.</summary>
[TaskKey("{Key}|{Revision}")]
public sealed partial record RevisionTask(string Key, Revision Revision);

/// <summary>The seed's JSON form: <c>{"origKey": "object1key", "newKey": "newObject1Key"}</c>.</summary>
[TaskKey(TaskKeyFormat.Json)]
public sealed partial record CopyTask(string OrigKey, string NewKey);

/// <summary>The plain case: the key is the object key.</summary>
[TaskKey]
public readonly partial record struct WholeKey(string Key);

/// <summary>Every supported type in a delimited template, with a prefix and an optional tail.</summary>
[TaskKey("v1:{Id}/{Count}/{Size}/{Ratio}/{Price}/{Flag}/{At}/{Mode}/{Limit}/{Name}|{Note?}|{Level?}")]
public sealed partial record AllTypes(
    Guid Id,
    int Count,
    long Size,
    double Ratio,
    decimal Price,
    bool Flag,
    DateTimeOffset At,
    Revision Mode,
    int? Limit,
    string Name,
    string? Note = null,
    Revision? Level = null);

/// <summary>Every supported type as JSON, with renamed, nullable and defaulted properties.</summary>
[TaskKey(TaskKeyFormat.Json)]
public sealed partial record AllTypesJson(
    [property: System.Text.Json.Serialization.JsonIgnore][TaskKeyProperty("id")] Guid Identifier,
    int Count,
    long Size,
    double Ratio,
    decimal Price,
    bool Flag,
    DateTimeOffset At,
    Revision Mode,
    int? Limit,
    string Name,
    string? Note = null,
    Revision? Level = null,
    string Suffix = "none");

/// <summary>A trailing literal and a multi-character separator.</summary>
[TaskKey("{Left}::{Right}.txt")]
public partial record struct Pair(string Left, string Right);
