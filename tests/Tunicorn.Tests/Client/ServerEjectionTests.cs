using Microsoft.Extensions.Logging.Abstractions;
using Tunicorn.Client;
using Tunicorn.Client.Discovery;
using Tunicorn.Client.Pooling;

namespace Tunicorn.Tests.Client;

public sealed class ServerEjectionTests
{
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public void RecordFailure_ThreeInARow_EjectsForTheEjectionTime()
    {
        using var server = Server();

        server.RecordFailure("refused");
        server.RecordFailure("refused");
        Assert.False(server.IsEjected(_clock.GetTimestamp()));
        server.RecordFailure("refused");

        Assert.True(server.IsEjected(_clock.GetTimestamp()));
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(server.IsEjected(_clock.GetTimestamp()));
        _clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.False(server.IsEjected(_clock.GetTimestamp()));
    }

    [Fact]
    public void RecordFailure_RightAfterAnEjection_EjectsAgainForTwiceAsLong_UpToTheMaximum()
    {
        using var server = Server();
        for (int i = 0; i < 3; i++)
            server.RecordFailure("refused");
        var durations = new List<double>();

        for (int ejection = 0; ejection < 6; ejection++)
        {
            double seconds = 0;
            while (server.IsEjected(_clock.GetTimestamp()))
            {
                _clock.Advance(TimeSpan.FromMilliseconds(100));
                seconds += 0.1;
            }
            durations.Add(Math.Round(seconds, 1));
            server.RecordFailure("refused");
        }

        Assert.Equal([1, 2, 4, 8, 10, 10], durations);
    }

    [Fact]
    public void RecordSuccess_ClearsTheRecord()
    {
        using var server = Server();
        for (int i = 0; i < 3; i++)
            server.RecordFailure("refused");
        _clock.Advance(TimeSpan.FromSeconds(2));

        server.RecordSuccess();
        server.RecordFailure("refused");
        server.RecordFailure("refused");

        Assert.False(server.IsEjected(_clock.GetTimestamp()));
    }

    [Fact]
    public void BackFromAnEjection_OnProbation_TakesOneCallAtATime_UntilOneSucceeds()
    {
        using var server = Server();
        for (int i = 0; i < 3; i++)
            server.RecordFailure("no answer within the deadline");
        _clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.False(server.IsEjected(_clock.GetTimestamp()));

        server.CallStarted();
        Assert.True(server.IsEjected(_clock.GetTimestamp()));
        server.RecordSuccess();
        Assert.False(server.IsEjected(_clock.GetTimestamp()));
        server.CallStarted();
        Assert.False(server.IsEjected(_clock.GetTimestamp()));
    }

    private ServerState Server()
    {
        var options = new TunicornClientOptions
        {
            Discovery = new StaticDiscovery("127.0.0.1:1"),
            EjectAfterFailures = 3,
            EjectionTime = TimeSpan.FromSeconds(1),
            MaxEjectionTime = TimeSpan.FromSeconds(10),
            TimeProvider = _clock,
        };
        var instance = StaticDiscovery.Parse("127.0.0.1:1");
        return new ServerState(instance, new ConnectionPool(instance, options, _ => throw new InvalidOperationException("no connection in this test")),
            options, NullLogger.Instance);
    }
}
