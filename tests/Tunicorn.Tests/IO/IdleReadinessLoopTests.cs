using Microsoft.Extensions.Logging;
using Tunicorn.IO;

namespace Tunicorn.Tests.IO;

/// <summary>
/// A loop with nothing to do adds no thread and never says that a handler blocks (issue 10.8: idle workers that served
/// no call logged "Loop threads ... all busy for 50 ms: a handler blocks").
/// </summary>
public sealed class IdleReadinessLoopTests
{
    [Fact]
    public async Task IdleLoops_NeverAddAThread_NorSayThatAHandlerBlocks()
    {
        // The stall check looks every millisecond here, so that it also looks while a loop thread is still starting
        // (not yet waiting in epoll), as a worker's 50 ms check does on a busy machine.
        var log = new LineLogger();
        var loops = Enumerable.Range(0, 40).Select(_ => new ReadinessLoop(minThreads: 1, maxThreads: 4, TimeSpan.FromMilliseconds(1), log)).ToArray();
        try
        {
            // Nothing happens here, so there is no condition to wait for: the loops get a window to misbehave in.
            await Task.Delay(TimeSpan.FromMilliseconds(500));

            Assert.All(loops, loop => Assert.Equal(1, loop.Threads));
            Assert.DoesNotContain(log.Lines, line => line.Contains("a handler blocks", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var loop in loops)
                loop.Dispose();
        }
    }

    private sealed class LineLogger : ILogger
    {
        private readonly Lock _gate = new();
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_gate)
                    return [.. _lines];
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_gate)
                _lines.Add(formatter(state, exception));
        }
    }
}
