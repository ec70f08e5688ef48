using System;
using System.Collections.Generic;
using Pipeline.Core;
using Pipeline.Functions;
using Pipeline.S3;
using Pipeline.S3.Aws;

namespace Pipeline.Lambda.Bootstrap;

/// <summary>The functions the published <c>bootstrap</c> hosts, selected by the Handler setting:
/// the seed's three (remove-delete-marker, apply-revision, copy-to-new-key), <c>noop</c> and <c>echo</c>.</summary>
public static class Registry
{
    /// <summary>Every built-in function over <paramref name="store"/>. Names are unique (the host refuses to start otherwise).</summary>
    public static IReadOnlyList<IBatchFunction> Create(IObjectStore store) =>
        [.. BuiltInFunctions.Create(store), new EchoFunction()];

    /// <summary>The S3 edge the functions use: AWSSDK.S3 configured from the environment
    /// (<see cref="S3EndpointOptions.FromEnvironment"/>).</summary>
    public static AwsObjectStore StoreFromEnvironment(Func<string, string?> environment) =>
        AwsObjectStore.Create(S3EndpointOptions.FromEnvironment(environment));
}
