namespace Pipeline.Core;

/// <summary>The three answers Batch Operations accepts for a task (<c>resultCode</c>).</summary>
/// <remarks>The numeric order is the severity order used when one task has several outcomes.</remarks>
public enum ResultCode
{
    /// <summary>The task completed; its result string goes into the completion report.</summary>
    Succeeded = 0,

    /// <summary>The task failed for now and is redriven; on the final redrive the message goes into the report.</summary>
    TemporaryFailure = 1,

    /// <summary>The task failed for good; it is reported as failed with its message.</summary>
    PermanentFailure = 2,
}

/// <summary>The wire spelling of <see cref="ResultCode"/>.</summary>
public static class ResultCodeNames
{
    /// <summary>Returns "Succeeded", "TemporaryFailure" or "PermanentFailure".</summary>
    public static string ToWire(this ResultCode code) => code switch
    {
        ResultCode.Succeeded => "Succeeded",
        ResultCode.TemporaryFailure => "TemporaryFailure",
        ResultCode.PermanentFailure => "PermanentFailure",
        _ => ThrowHelper.ThrowUndefinedEnum<string>(nameof(code), (int)code),
    };

    /// <summary>Parses the exact wire spelling (case-sensitive, as AWS writes it).</summary>
    public static bool TryParse(System.ReadOnlySpan<char> text, out ResultCode code)
    {
        switch (text)
        {
            case "Succeeded": code = ResultCode.Succeeded; return true;
            case "TemporaryFailure": code = ResultCode.TemporaryFailure; return true;
            case "PermanentFailure": code = ResultCode.PermanentFailure; return true;
            default: code = default; return false;
        }
    }
}
