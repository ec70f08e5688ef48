using MyFunction;
using Pipeline.Lambda;

// Lambda starts this `bootstrap`: the host takes each invocation from the Runtime API, runs the
// function on every task and answers Batch Operations with one result code per task. The Handler
// setting (_HANDLER) picks a function by name when the executable hosts several.
return await LambdaHost.RunAsync([new KeyAudit()]);
