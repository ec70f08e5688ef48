using System;
using System.Collections.Generic;
using Pipeline.Core;
using Pipeline.S3;

namespace Pipeline.Functions;

/// <summary>The built-in functions, by the names hosts select them with (Lambda's <c>_HANDLER</c>,
/// a job's FunctionArn, <c>s3batch invoke --function</c>).</summary>
public static class BuiltInFunctions
{
    /// <summary>Every built-in name.</summary>
    public static IReadOnlyList<string> Names { get; } = [RemoveDeleteMarker.FunctionName, ApplyRevision.FunctionName, CopyToNewKey.FunctionName, NoOp.FunctionName];

    /// <summary>All built-ins over one store.</summary>
    public static IReadOnlyList<IBatchFunction> Create(IObjectStore store) =>
        [new RemoveDeleteMarker(store), new ApplyRevision(store), new CopyToNewKey(store), new NoOp()];

    /// <summary>The built-in called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static IBatchFunction? Find(string name, IObjectStore store)
    {
        foreach (var function in Create(store))
        {
            if (string.Equals(function.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return function;
            }
        }

        return null;
    }
}
