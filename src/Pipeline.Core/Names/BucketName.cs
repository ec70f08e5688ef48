namespace Pipeline.Core;

/// <summary>
/// Bucket names, one grammar with two strengths. <see cref="IsValid"/> is S3's rule for creating a
/// bucket (what a store enforces); <see cref="IsWellFormed"/> is the looser rule for a bucket that a
/// job or a manifest row names, which may be an older bucket (underscores were once allowed): the
/// store, not the grammar, answers whether it exists.
/// </summary>
public static class BucketName
{
    /// <summary>The shortest bucket name S3 allows.</summary>
    public const int MinLength = 3;

    /// <summary>The longest bucket name S3 allows.</summary>
    public const int MaxLength = 63;

    /// <summary>S3's bucket naming rules: 3–63 of lower-case letters, digits, '.', '-', starting and
    /// ending with a letter or digit, no "..", no '.' next to '-', not an IP address.</summary>
    public static bool IsValid(string? name)
    {
        if (!HasValidShape(name, allowUnderscore: false))
        {
            return false;
        }

        var dots = 0;
        var allDigitsAndDots = true;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '.')
            {
                dots++;
                if (name[i - 1] is '.' or '-' || name[i + 1] is '.' or '-')
                {
                    return false;
                }
            }
            else if (!char.IsAsciiDigit(c))
            {
                allDigitsAndDots = false;
            }
        }

        return !(allDigitsAndDots && dots == 3);
    }

    /// <summary>The looser rule for a bucket a job or manifest names: 3–63 of lower-case letters,
    /// digits, '.', '-', '_', starting and ending with a letter or digit.</summary>
    public static bool IsWellFormed(string? name) => HasValidShape(name, allowUnderscore: true);

    private static bool HasValidShape([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? name, bool allowUnderscore)
    {
        if (name is null || name.Length is < MinLength or > MaxLength || !IsLowerAlnum(name[0]) || !IsLowerAlnum(name[^1]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(IsLowerAlnum(c) || c is '.' or '-' || (allowUnderscore && c == '_')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLowerAlnum(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
