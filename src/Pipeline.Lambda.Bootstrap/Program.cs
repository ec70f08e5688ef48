using System;
using Pipeline.Lambda;
using Pipeline.Lambda.Bootstrap;

using var store = Registry.StoreFromEnvironment(Environment.GetEnvironmentVariable);
return await LambdaHost.RunAsync(Registry.Create(store)).ConfigureAwait(false);
