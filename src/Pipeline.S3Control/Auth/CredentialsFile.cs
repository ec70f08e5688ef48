using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security;
using LanguageExt;
using LanguageExt.Common;

namespace Pipeline.S3Control.Auth;

/// <summary>
/// Reads the secrets a SigV4-verifying endpoint accepts from a file in the AWS shared credentials
/// format (<c>~/.aws/credentials</c>): <c>[profile]</c> sections of <c>name = value</c> lines
/// (<c>:</c> also separates, as in the CLI's parser), whole-line comments starting with <c>#</c> or
/// <c>;</c>, names case-insensitive. Every profile with both <c>aws_access_key_id</c> and
/// <c>aws_secret_access_key</c> contributes its key; other settings and profiles with neither are
/// ignored. Errors name the file and the line.
/// </summary>
public static class CredentialsFile
{
    /// <summary>The <see cref="Error.Code"/> of every error of this class.</summary>
    public const int InvalidCode = 4620;

    private const string KeyIdName = "aws_access_key_id";
    private const string SecretName = "aws_secret_access_key";

    /// <summary>
    /// Parses credentials file text. Fails (naming <paramref name="source"/> and the line) on a line
    /// that is neither a section, a setting nor a comment; a setting outside a section; a profile or a
    /// setting given twice; a profile with one of the two keys but not the other; an empty key; an
    /// access key id given with two different secrets; and text with no credentials at all.
    /// </summary>
    /// <param name="text">The file's text.</param>
    /// <param name="source">The file's name, for messages.</param>
    /// <returns>Access key id → secret access key (ordinal keys).</returns>
    public static Fin<IReadOnlyDictionary<string, string>> Parse(string text, string source)
    {
        var profiles = new List<Profile>();
        var lines = text.Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var number = index + 1;
            var line = lines[index].Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                if (line[^1] != ']' || line[1..^1].Trim().Length == 0)
                {
                    return Fail(source, number, $"'{line}' is not a section header: write [profile-name].");
                }

                var name = line[1..^1].Trim();
                if (profiles.FirstOrDefault(p => p.Name == name) is { } earlier)
                {
                    return Fail(source, number, $"profile [{name}] is defined twice (first on line {earlier.Line}).");
                }

                profiles.Add(new Profile(name, number));
                continue;
            }

            var separator = line.IndexOfAny(['=', ':']);
            if (separator <= 0)
            {
                return Fail(source, number, "expected 'name = value', a [profile] header or a comment (# or ;).");
            }

            if (profiles.Count == 0)
            {
                return Fail(source, number, "a setting before any [profile] header.");
            }

            var key = line[..separator].Trim().ToLowerInvariant();
            var value = line[(separator + 1)..].Trim();
            var profile = profiles[^1];
            if (profile.Settings.TryGetValue(key, out var previous))
            {
                return Fail(source, number, $"{key} is set twice in profile [{profile.Name}] (first on line {previous.Line}).");
            }

            profile.Settings[key] = (value, number);
        }

        return Collect(profiles, source);
    }

    /// <summary>Reads and parses the credentials file at <paramref name="path"/>; fails naming the file when it cannot be read.</summary>
    public static Fin<IReadOnlyDictionary<string, string>> Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException or ArgumentException or NotSupportedException)
        {
            return Error.New(InvalidCode, $"cannot read the credentials file {path}: {e.Message}");
        }

        return Parse(text, path);
    }

    private static Fin<IReadOnlyDictionary<string, string>> Collect(List<Profile> profiles, string source)
    {
        var secrets = new Dictionary<string, (string Secret, string Profile, int Line)>(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            var hasId = profile.Settings.TryGetValue(KeyIdName, out var id);
            var hasSecret = profile.Settings.TryGetValue(SecretName, out var secret);
            if (!hasId && !hasSecret)
            {
                continue;
            }

            if (!hasId || !hasSecret)
            {
                var (present, absent, line) = hasId ? (KeyIdName, SecretName, id.Line) : (SecretName, KeyIdName, secret.Line);
                return Fail(source, line, $"profile [{profile.Name}] has {present} but no {absent}.");
            }

            if (id.Value.Length == 0 || secret.Value.Length == 0)
            {
                var (name, line) = id.Value.Length == 0 ? (KeyIdName, id.Line) : (SecretName, secret.Line);
                return Fail(source, line, $"{name} of profile [{profile.Name}] is empty.");
            }

            if (id.Value.Any(char.IsWhiteSpace) || secret.Value.Any(char.IsWhiteSpace))
            {
                var (name, line) = id.Value.Any(char.IsWhiteSpace) ? (KeyIdName, id.Line) : (SecretName, secret.Line);
                return Fail(source, line, $"{name} of profile [{profile.Name}] contains white space (comments go on lines of their own).");
            }

            if (secrets.TryGetValue(id.Value, out var other))
            {
                if (other.Secret != secret.Value)
                {
                    return Fail(source, id.Line,
                        $"access key id {id.Value} of profile [{profile.Name}] is also in profile [{other.Profile}] (line {other.Line}) with a different secret.");
                }

                continue;
            }

            secrets[id.Value] = (secret.Value, profile.Name, id.Line);
        }

        if (secrets.Count == 0)
        {
            return Error.New(InvalidCode,
                $"{source}: no credentials: no profile has both {KeyIdName} and {SecretName}.");
        }

        return secrets.ToDictionary(kv => kv.Key, kv => kv.Value.Secret, StringComparer.Ordinal);
    }

    private static Error Fail(string source, int line, string message) =>
        Error.New(InvalidCode, $"{source}:{line}: {message}");

    private sealed record Profile(string Name, int Line)
    {
        public Dictionary<string, (string Value, int Line)> Settings { get; } = new(StringComparer.Ordinal);
    }
}
