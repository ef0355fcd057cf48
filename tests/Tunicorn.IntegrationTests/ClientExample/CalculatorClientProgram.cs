using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CalculatorApp;

/// <summary>What Program.cs does: configuration, the container, a call through the consumer.</summary>
public static class CalculatorClientProgram
{
    public static async Task<int?> RunAsync(string appSettingsPath)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(appSettingsPath).Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTunicornClient<tutorial.Calculator.Client>(configuration.GetSection("Calculator"));
        services.AddSingleton<CalculatorTotals>();

        // The client is a singleton the container disposes: DisposeAsync (await using), as a host does.
        await using var provider = services.BuildServiceProvider();
        return await provider.GetRequiredService<CalculatorTotals>().SumAsync([1, 2, 3, 4]);
    }
}
