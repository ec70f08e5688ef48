using System;

namespace Pipeline.Core;

/// <summary>How a task key is laid out when no template is given.</summary>
public enum TaskKeyFormat
{
    /// <summary>The whole decoded key is the record's single constructor parameter.</summary>
    WholeKey = 0,

    /// <summary>The decoded key is a JSON object whose properties bind to constructor parameters
    /// (camelCase names unless <see cref="TaskKeyPropertyAttribute"/> says otherwise).</summary>
    Json = 1,
}

/// <summary>
/// Declares that a <c>partial record</c> (class or struct) is the typed form of a task's manifest key.
/// The Pipeline.Generators source generator then adds <c>Parse</c>, <c>TryParse</c>, <c>TryFormat</c>,
/// <c>Format</c> and <c>ToManifestKey</c> to it.
/// </summary>
/// <remarks>
/// <para>The attribute lives in Pipeline.Core, not in the generator: every user already references
/// Pipeline.Core, so one type identity is shared by every assembly (no per-assembly injected copies
/// to clash), and the generated code needs the runtime helpers that live next to it anyway.</para>
/// <para>Three layouts:</para>
/// <list type="bullet">
/// <item><c>[TaskKey]</c>: the whole decoded key is the single constructor parameter.</item>
/// <item><c>[TaskKey("{Key}|{Revision}")]</c>: a delimited template. Literal text sits between
/// placeholders; each placeholder binds the constructor parameter of that name (case-insensitive);
/// the last placeholder takes the rest of the text. Trailing optional segments (<c>|{Suffix?}</c>)
/// bind parameters with default values and may be absent. <c>{{</c> and <c>}}</c> are literal braces.</item>
/// <item><c>[TaskKey(TaskKeyFormat.Json)]</c>: the key is a JSON object.</item>
/// </list>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class TaskKeyAttribute : Attribute
{
    /// <summary>The whole decoded key is the record's single constructor parameter.</summary>
    public TaskKeyAttribute() => Format = TaskKeyFormat.WholeKey;

    /// <summary>A delimited template such as <c>"{Key}|{Revision}"</c>.</summary>
    /// <param name="template">Literal text and <c>{Parameter}</c> placeholders.</param>
    public TaskKeyAttribute(string template) => Template = template;

    /// <summary>A layout without a template (<see cref="TaskKeyFormat.Json"/> or <see cref="TaskKeyFormat.WholeKey"/>).</summary>
    /// <param name="format">The layout.</param>
    public TaskKeyAttribute(TaskKeyFormat format) => Format = format;

    /// <summary>The delimited template, or <see langword="null"/> when <see cref="Format"/> decides the layout.</summary>
    public string? Template { get; }

    /// <summary>The layout when no template is given.</summary>
    public TaskKeyFormat Format { get; }
}

/// <summary>Overrides the JSON property name a constructor parameter binds to
/// (only used by <see cref="TaskKeyFormat.Json"/>; the default is the camelCase parameter name).</summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class TaskKeyPropertyAttribute : Attribute
{
    /// <summary>Binds the parameter to the JSON property <paramref name="name"/> (case-sensitive).</summary>
    /// <param name="name">The JSON property name.</param>
    public TaskKeyPropertyAttribute(string name) => Name = name;

    /// <summary>The JSON property name.</summary>
    public string Name { get; }
}
