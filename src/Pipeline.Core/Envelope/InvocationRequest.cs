namespace Pipeline.Core;

/// <summary>What Batch Operations sends a function: one invocation of a job, carrying its tasks.</summary>
/// <param name="SchemaVersion">The job's invocation schema ("1.0" or "2.0").</param>
/// <param name="InvocationId">Opaque; echoed back unchanged in the response.</param>
/// <param name="Job">The job this invocation belongs to.</param>
/// <param name="Tasks">The tasks, in request order. AWS sends exactly one; code handles 0..N.</param>
public sealed record InvocationRequest(
    SchemaVersion SchemaVersion,
    string InvocationId,
    BatchJob Job,
    EquatableArray<BatchTask> Tasks);

/// <summary>The job an invocation belongs to.</summary>
/// <param name="Id">The job id.</param>
/// <param name="UserArguments">Schema 2.0's <c>job.userArguments</c>; empty for 1.0.</param>
public sealed record BatchJob(string Id, UserArguments UserArguments)
{
    /// <summary>A job without user arguments.</summary>
    public BatchJob(string id)
        : this(id, UserArguments.Empty)
    {
    }
}
