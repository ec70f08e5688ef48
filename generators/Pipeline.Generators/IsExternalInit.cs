namespace System.Runtime.CompilerServices;

/// <summary>Lets a netstandard2.0 assembly declare records and <c>init</c> accessors (CS0518 otherwise).</summary>
internal static class IsExternalInit
{
}
