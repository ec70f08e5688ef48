using System;
using Pipeline.Lambda;
using Pipeline.Lambda.Bootstrap;

// The S3 client is created inside the host's start-up: a bad configuration becomes an init error.
Pipeline.S3.Aws.AwsObjectStore? store = null;
try
{
    return await LambdaHost.RunAsync(() =>
    {
        var created = Registry.StoreFromEnvironment(Environment.GetEnvironmentVariable);
        store = created;
        return Registry.Create(created);
    }).ConfigureAwait(false);
}
finally
{
    store?.Dispose();
}
