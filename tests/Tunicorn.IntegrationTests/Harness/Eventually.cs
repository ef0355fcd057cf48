using System.Diagnostics;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// Waits for a condition with a deadline. Tests never sleep a fixed time: they wait until what they expect is
/// true, and fail with a description (and optional diagnostics, e.g. the server log) when the deadline passes.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string description, Func<string>? diagnostics = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, description, diagnostics);

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string description, Func<string>? diagnostics = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition().ConfigureAwait(false))
                return;
            if (clock.Elapsed >= timeout)
            {
                string detail = diagnostics is null ? string.Empty : Environment.NewLine + diagnostics();
                throw new TimeoutException($"Not true after {timeout.TotalSeconds:0.#} s: {description}{detail}");
            }
            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until <paramref name="probe"/> returns a value, and returns it.</summary>
    public static async Task<T> WaitForAsync<T>(Func<T?> probe, TimeSpan timeout, string description, Func<string>? diagnostics = null)
        where T : class
    {
        T? found = null;
        await WaitUntilAsync(() => (found = probe()) is not null, timeout, description, diagnostics).ConfigureAwait(false);
        return found!;
    }
}
