using System;
using System.IO;
using CsCheck;
using LanguageExt;
using LanguageExt.Common;
using Pipeline.Core;
using Xunit;

namespace Pipeline.S3.Tests;

/// <summary>The public S3-error → task-outcome rule: the classifier's table carried to result codes,
/// and totality over any error, context and not-found decision.</summary>
public class S3OutcomesTests
{
    private static ResultCode Expected(FailureClass failure, ResultCode whenNotFound) => failure switch
    {
        FailureClass.Temporary => ResultCode.TemporaryFailure,
        FailureClass.NotFound => whenNotFound,
        _ => ResultCode.PermanentFailure,
    };

    [Theory]
    [MemberData(nameof(S3FailureClassifierTests.Responses), MemberType = typeof(S3FailureClassifierTests))]
    public void ToTaskOutcome_OfEveryClassifiedResponse_GivesItsResultCode_AndKeepsTheTaskAndMessage(string code, int status, bool deleteMarker, FailureClass failure)
    {
        var error = new S3Error(code, status, "server says", deleteMarker);

        foreach (var whenNotFound in new[] { ResultCode.Succeeded, ResultCode.TemporaryFailure, ResultCode.PermanentFailure })
        {
            var outcome = S3Outcomes.ToTaskOutcome("task-1", error, "Copy of s3://b/k failed", whenNotFound);

            Assert.Equal(("task-1", Expected(failure, whenNotFound)), (outcome.TaskId, outcome.Code));
            Assert.Equal("Copy of s3://b/k failed: " + error.Message, outcome.ResultString);
            Assert.Equal(outcome.Code, S3Outcomes.ToResultCode(error, whenNotFound));
        }
    }

    [Theory]
    [InlineData(S3ErrorCodes.LocalDiskFull, 507, ResultCode.TemporaryFailure)]
    [InlineData(S3ErrorCodes.LocalBusy, 503, ResultCode.TemporaryFailure)]
    [InlineData(S3ErrorCodes.LocalIOError, 500, ResultCode.TemporaryFailure)]
    [InlineData(S3ErrorCodes.LocalReadOnly, 403, ResultCode.PermanentFailure)]
    [InlineData(S3ErrorCodes.LocalAccessDenied, 403, ResultCode.PermanentFailure)]
    [InlineData(S3ErrorCodes.LocalCorrupt, 500, ResultCode.PermanentFailure)]
    [InlineData(S3ErrorCodes.LocalFault, 500, ResultCode.PermanentFailure)]
    public void ToTaskOutcome_OfALocalStorageFault_FollowsItsDocumentedClass(string code, int status, ResultCode expected) =>
        Assert.Equal(expected, S3Outcomes.ToTaskOutcome("t", new S3Error(code, status, "m")).Code);

    [Fact]
    public void ToTaskOutcome_WithoutContext_IsTheErrorMessageAlone() =>
        Assert.Equal("SlowDown (503): reduce your request rate", S3Outcomes.ToTaskOutcome("t", new S3Error("SlowDown", 503, "reduce your request rate")).ResultString);

    [Fact]
    public void ToTaskOutcome_OfAnErrorThatIsNotAnS3Error_IsPermanent_UnlessItCarriesATransientException()
    {
        Assert.Equal(ResultCode.PermanentFailure, S3Outcomes.ToTaskOutcome("t", Error.New("bad task key"), "parse").Code);
        Assert.Equal(ResultCode.PermanentFailure, S3Outcomes.ToTaskOutcome("t", Error.New(new InvalidOperationException("bug"))).Code);
        Assert.Equal(ResultCode.TemporaryFailure, S3Outcomes.ToTaskOutcome("t", Error.New(new IOException("connection reset"))).Code);
        Assert.Equal(ResultCode.TemporaryFailure, S3Outcomes.ToTaskOutcome("t", Error.New(new TimeoutException())).Code);
    }

    [Fact]
    public void ToTaskOutcome_OfNull_IsPermanent_WithAMessage()
    {
        var outcome = S3Outcomes.ToTaskOutcome("t", null, "read");

        Assert.Equal((ResultCode.PermanentFailure, "read: an unspecified S3 failure"), (outcome.Code, outcome.ResultString));
    }

    [Fact]
    public void ToTaskOutcome_WithAnUndefinedNotFoundDecision_FailsAMissingObjectPermanently() =>
        Assert.Equal(ResultCode.PermanentFailure, S3Outcomes.ToTaskOutcome("t", new S3Error("NoSuchKey", 404, "m"), null, (ResultCode)42).Code);

    /// <summary>Every kind of <see cref="Error"/> a function can hold: S3 errors of any code, status
    /// and flag; plain and exceptional errors; several at once; none.</summary>
    private static readonly Gen<Error?> AnyError = Gen.Frequency(
        (6, (IGen<Error?>)Generators.ErrorResponse.Select(static r => (Error?)new S3Error(r.Item1, r.Item2, r.Item4, r.Item3))),
        (1, Gen.String.Select(static m => (Error?)Error.New(m))),
        (1, Generators.Exceptions.Select(static e => (Error?)Error.New(e))),
        (1, Generators.ErrorResponse.Array[0, 3].Select(static rs => (Error?)Error.Many(Array.ConvertAll(rs, static r => (Error)new S3Error(r.Item1, r.Item2, r.Item4, r.Item3))))),
        (1, Gen.Const((Error?)null)));

    [Fact]
    public void ToTaskOutcome_IsTotal_OverAnyErrorContextAndDecision_AndReachesEveryResultCode()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<ResultCode, int>();
        Gen.Select(AnyError, Gen.String.Null(), Gen.Int[-1, 3], Gen.String).Sample(
            (error, context, whenNotFound, taskId) =>
            {
                var outcome = S3Outcomes.ToTaskOutcome(taskId, error, context, (ResultCode)whenNotFound);
                Assert.Equal(taskId, outcome.TaskId);
                Assert.True(Enum.IsDefined(outcome.Code));
                Assert.False(string.IsNullOrEmpty(outcome.ResultString));
                Assert.Equal(outcome.Code, S3Outcomes.ToResultCode(error, (ResultCode)whenNotFound));
                if (error is S3Error s3 && s3.Class == FailureClass.Temporary)
                {
                    Assert.Equal(ResultCode.TemporaryFailure, outcome.Code);
                }

                seen.AddOrUpdate(outcome.Code, 1, static (_, n) => n + 1);
            },
            iter: 2_000);

        Assert.Equal(3, seen.Count);
    }
}
