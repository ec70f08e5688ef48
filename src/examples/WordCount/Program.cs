using Pipeline.Lambda;
using Pipeline.S3.Aws;
using WordCount;

// Lambda starts this `bootstrap`; the host speaks the Runtime API and runs the function on every task.
AwsObjectStore? store = null;
try
{
    return await LambdaHost.RunAsync(() => [new CountWords(store = AwsObjectStore.Create(S3EndpointOptions.FromEnvironment(Environment.GetEnvironmentVariable)))]);
}
finally
{
    store?.Dispose();
}
