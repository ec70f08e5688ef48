namespace Pipeline.Lambda;

/// <summary>The wire names of the Lambda Runtime API (version 2018-06-01): one place, so the client,
/// the loopback server and the tests can never disagree about a spelling.</summary>
public static class RuntimeApi
{
    /// <summary>The API version prefix of every path.</summary>
    public const string Version = "2018-06-01";

    /// <summary>The environment variable holding the API's <c>host:port</c>.</summary>
    public const string EndpointVariable = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>The environment variable holding the function's Handler setting.</summary>
    public const string HandlerVariable = "_HANDLER";

    /// <summary>The environment variable the X-Ray trace id of the current invocation is copied to.</summary>
    public const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    /// <summary>The invocation's request id (header of <c>/next</c>).</summary>
    public const string RequestIdHeader = "Lambda-Runtime-Aws-Request-Id";

    /// <summary>The invocation's deadline in Unix epoch milliseconds.</summary>
    public const string DeadlineHeader = "Lambda-Runtime-Deadline-Ms";

    /// <summary>The ARN the function was invoked by.</summary>
    public const string FunctionArnHeader = "Lambda-Runtime-Invoked-Function-Arn";

    /// <summary>The X-Ray tracing header.</summary>
    public const string TraceIdHeader = "Lambda-Runtime-Trace-Id";

    /// <summary>The mobile SDK's client context (JSON), when the caller sent one.</summary>
    public const string ClientContextHeader = "Lambda-Runtime-Client-Context";

    /// <summary>The Cognito identity (JSON), when the caller sent one.</summary>
    public const string CognitoIdentityHeader = "Lambda-Runtime-Cognito-Identity";

    /// <summary>The error type a runtime states when it posts an error.</summary>
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    /// <summary>The content type of an error body.</summary>
    public const string ErrorContentType = "application/vnd.aws.lambda.error+json";
}
