using System;
using System.Collections.Generic;
using System.Globalization;
using Xunit;

namespace Pipeline.Engine.Tests.Faults;

/// <summary>The proxy's seeded decisions, which the job tests rely on to be reproducible and to
/// break the share of requests they claim.</summary>
public sealed class FaultProxyTests
{
    [Theory]
    [InlineData(0.01)]
    [InlineData(0.10)]
    [InlineData(0.60)]
    public void Decide_ManyRequests_BreaksTheConfiguredShare_WithEveryKind_TheSameWayEachTime(double rate)
    {
        var options = new FaultProxyOptions(rate, Seed: 42, StallFor: TimeSpan.FromSeconds(1));
        var counts = new Dictionary<InjectedFault, int>();
        const int Requests = 200_000;
        for (var i = 0; i < Requests; i++)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"PUT /bucket/key-{i / 3}?x-id=PutObject");
            var fault = FaultProxy.Decide(options, line, i % 3);
            Assert.Equal(fault, FaultProxy.Decide(options, line, i % 3));
            counts[fault] = counts.GetValueOrDefault(fault) + 1;
        }

        var broken = Requests - counts.GetValueOrDefault(InjectedFault.None);
        Assert.InRange(broken / (double)Requests, rate * 0.9, rate * 1.1);
        foreach (var kind in Enum.GetValues<InjectedFault>())
        {
            Assert.True(counts.GetValueOrDefault(kind) > 0, $"{kind} never chosen at {rate:P0}");
        }
    }

    [Fact]
    public void Decide_ARetryOfTheSameRequest_IsDecidedAfresh_AndAnotherSeedDecidesOtherwise()
    {
        var a = new FaultProxyOptions(0.5, Seed: 1, StallFor: TimeSpan.FromSeconds(1));
        var b = a with { Seed = 2 };
        var differentOccurrence = 0;
        var differentSeed = 0;
        for (var i = 0; i < 1000; i++)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"GET /b/k{i}");
            differentOccurrence += FaultProxy.Decide(a, line, 0) != FaultProxy.Decide(a, line, 1) ? 1 : 0;
            differentSeed += FaultProxy.Decide(a, line, 0) != FaultProxy.Decide(b, line, 0) ? 1 : 0;
        }

        Assert.InRange(differentOccurrence, 400, 900);
        Assert.InRange(differentSeed, 400, 900);
    }
}
