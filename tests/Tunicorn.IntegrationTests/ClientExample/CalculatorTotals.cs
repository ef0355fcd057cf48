using Microsoft.Extensions.Logging;
using Tunicorn.Client;

namespace CalculatorApp;

/// <summary>A consumer of the Calculator service: the container gives it the typed client.</summary>
public sealed class CalculatorTotals(TunicornClient<tutorial.Calculator.Client> calculator, ILogger<CalculatorTotals> logger)
{
    /// <summary>The sum of <paramref name="numbers"/>, added by the service; null when no server could be reached.</summary>
    public async Task<int?> SumAsync(IEnumerable<int> numbers, CancellationToken cancellationToken = default)
    {
        int total = 0;
        foreach (int number in numbers)
        {
            try
            {
                // add has no side effect: safe to retry on another server if its server dies under the call.
                total = await calculator.CallAsync((client, ct) => client.add(total, number, ct),
                    new CallOptions { Idempotent = true, Timeout = TimeSpan.FromSeconds(1) }, cancellationToken);
            }
            catch (CallFailedException e) when (!e.RequestSent)
            {
                // Nothing reached a server (no server known, none accepted a connection): safe to try again later.
                logger.LogWarning("Calculator unavailable ({Reason}): {Message}", e.Reason, e.Message);
                return null;
            }
        }
        return total;
    }
}
