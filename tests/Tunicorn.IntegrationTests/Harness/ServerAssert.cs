using Xunit;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>Assertions shared by the tests that signal a server under load.</summary>
internal static class ServerAssert
{
    /// <summary>Every worker that exited answered every call it read (its <c>Worker exiting</c> line has read == answered).</summary>
    public static void EveryReadCallAnswered(TunicornServer server)
    {
        foreach (var exit in server.WorkerExits())
        {
            Assert.True(exit.CallsRead == exit.CallsAnswered,
                $"worker {exit.Pid} read {exit.CallsRead} calls but answered {exit.CallsAnswered}{Environment.NewLine}{server.Log.Tail()}");
        }
    }

    /// <summary>The load client saw no failed call.</summary>
    public static void NoFailedCalls(LoadResult load, string client)
    {
        Assert.True(load.Calls > 0, $"{client} made no call: {load}");
        Assert.True(load.Failures == 0, $"{client} saw {load.Failures} failed calls: {load}");
    }
}
