using System;
using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Core;

/// <summary>Throws for bugs only (a caller passing an undefined enum value, a broken invariant).
/// Expected failures (bad input) are values: see <see cref="EnvelopeErrors"/>.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static T ThrowUndefinedEnum<T>(string parameter, int value) =>
        throw new ArgumentOutOfRangeException(parameter, value, "not a defined value of the enum");

    [DoesNotReturn]
    public static void ThrowArgumentNull(string parameter) => throw new ArgumentNullException(parameter);

    [DoesNotReturn]
    public static void ThrowArgument(string parameter, string message) => throw new ArgumentException(message, parameter);
}
