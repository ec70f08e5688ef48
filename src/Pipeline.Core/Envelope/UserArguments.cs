using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Core;

/// <summary>A schema 2.0 job's <c>userArguments</c>: string keys to string values.</summary>
/// <remarks>
/// Entries are kept sorted by key (ordinal), so two argument sets with the same entries are equal
/// whatever order the JSON listed them in, and encoding is canonical. The API allows 1–10 entries
/// (keys 1–64 characters, values 0–1,024); the codec does not enforce those limits — the job does.
/// </remarks>
[SuppressMessage("Naming", "CA1710", Justification = "Named after AWS's UserArguments, which users search for.")]
public sealed class UserArguments : IReadOnlyDictionary<string, string>, IEquatable<UserArguments>
{
    private readonly EquatableArray<KeyValuePair<string, string>> _entries;

    private UserArguments(EquatableArray<KeyValuePair<string, string>> entries) => _entries = entries;

    /// <summary>No arguments (every schema 1.0 job, and 2.0 jobs without UserArguments).</summary>
    public static UserArguments Empty { get; } = new(default(EquatableArray<KeyValuePair<string, string>>));

    /// <summary>Builds a set from entries; a key given twice is a bug in the caller.</summary>
    /// <exception cref="ArgumentException">A key appears twice.</exception>
    public static UserArguments Create(IEnumerable<KeyValuePair<string, string>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = new List<KeyValuePair<string, string>>(entries);
        return TryCreate(list.ToArray(), out var arguments, out var duplicate)
            ? arguments
            : throw new ArgumentException($"user argument '{duplicate}' is given twice", nameof(entries));
    }

    /// <summary>Builds a set from entries, taking ownership of the array; fails on a duplicate key.</summary>
    internal static bool TryCreate(
        KeyValuePair<string, string>[] entries,
        [NotNullWhen(true)] out UserArguments? arguments,
        [NotNullWhen(false)] out string? duplicateKey)
    {
        if (entries.Length == 0)
        {
            arguments = Empty;
            duplicateKey = null;
            return true;
        }

        Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 1; i < entries.Length; i++)
        {
            if (string.Equals(entries[i - 1].Key, entries[i].Key, StringComparison.Ordinal))
            {
                arguments = null;
                duplicateKey = entries[i].Key;
                return false;
            }
        }

        arguments = new UserArguments(new EquatableArray<KeyValuePair<string, string>>(entries));
        duplicateKey = null;
        return true;
    }

    /// <summary>The entries, sorted by key (ordinal).</summary>
    public ReadOnlySpan<KeyValuePair<string, string>> Entries => _entries.AsSpan();

    /// <inheritdoc/>
    public int Count => _entries.Count;

    /// <inheritdoc/>
    public string this[string key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no user argument '{key}'");

    /// <inheritdoc/>
    public IEnumerable<string> Keys => Array.ConvertAll(_entries.AsSpan().ToArray(), static entry => entry.Key);

    /// <inheritdoc/>
    public IEnumerable<string> Values => Array.ConvertAll(_entries.AsSpan().ToArray(), static entry => entry.Value);

    /// <inheritdoc/>
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _entries[index].Value : null;
        return index >= 0;
    }

    private int IndexOf(string key)
    {
        var entries = _entries.AsSpan();
        int lo = 0, hi = entries.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var cmp = string.CompareOrdinal(entries[mid].Key, key);
            if (cmp == 0)
            {
                return mid;
            }

            if (cmp < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(UserArguments? other) => other is not null && _entries.Equals(other._entries);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as UserArguments);

    /// <inheritdoc/>
    public override int GetHashCode() => _entries.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => _entries.ToString();
}
