using System;

namespace Pipeline.Lambda;

/// <summary>What the host says about an exception it caught. A function's own exception type may
/// throw from <see cref="Exception.Message"/>; reporting it must not become a second, uncaught failure.</summary>
internal static class ExceptionText
{
    public static string MessageOf(Exception exception)
    {
        try
        {
            return exception.Message;
        }
#pragma warning disable CA1031 // Whatever the getter throws, the host still answers the invocation.
        catch (Exception unreadable)
#pragma warning restore CA1031
        {
            return $"(reading its message threw {unreadable.GetType().FullName})";
        }
    }
}
