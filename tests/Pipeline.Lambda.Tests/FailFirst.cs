using System.Threading;

using Pipeline.Lambda.Local;
namespace Pipeline.Lambda.Tests;

/// <summary>The Runtime API failing briefly: the first <c>count</c> requests on one route get
/// <c>fault</c>, everything else is served normally.</summary>
internal sealed class FailFirst(RuntimeApiRoute route, int count, RuntimeApiFault fault) : IRuntimeApiFaultInjector
{
    private int _injected;

    /// <summary>How many faults were actually injected (a test of recovery must see them happen).</summary>
    public int Injected => Volatile.Read(ref _injected);

    public RuntimeApiFault Before(RuntimeApiRoute route1)
    {
        if (route1 != route)
        {
            return RuntimeApiFault.None;
        }

        while (true)
        {
            var injected = Volatile.Read(ref _injected);
            if (injected >= count)
            {
                return RuntimeApiFault.None;
            }

            if (Interlocked.CompareExchange(ref _injected, injected + 1, injected) == injected)
            {
                return fault;
            }
        }
    }
}
