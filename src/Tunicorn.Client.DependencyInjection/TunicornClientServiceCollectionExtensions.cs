using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thrift;
using Tunicorn.Client;
using Tunicorn.Client.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>services.AddTunicornClient&lt;Calculator.Client&gt;(configuration.GetSection("Calculator"))</c>: a
/// <see cref="TunicornClient{TClient}"/> singleton that consumers take in their constructors, configured by
/// <see cref="TunicornClientSettings"/>, logging through the container's <see cref="ILoggerFactory"/> (the client and
/// its discovery alike), and disposed with the container.
/// </summary>
/// <remarks>
/// <para>One client per generated client type: its settings are the named options
/// <c>typeof(TClient).FullName</c>. A second AddTunicornClient of the same type adds to the same settings.</para>
/// <para>The client is created on first use, from the settings as they are then; it starts discovering on its first
/// call (or StartAsync). Invalid settings throw <see cref="OptionsValidationException"/> naming the keys, at the first
/// use, or at the host's start (the settings are marked ValidateOnStart).</para>
/// <para>TunicornClient is IAsyncDisposable only: dispose the provider with <c>await using</c> / DisposeAsync (a
/// host does); a synchronous Dispose of the provider throws, as it does for every such service.</para>
/// </remarks>
public static class TunicornClientServiceCollectionExtensions
{
    /// <summary>Registers <see cref="TunicornClient{TClient}"/>, its settings bound from <paramref name="configuration"/> (a section).</summary>
    public static ITunicornClientBuilder AddTunicornClient<TClient>(this IServiceCollection services, IConfiguration configuration)
        where TClient : TBaseClient
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = AddCore<TClient>(services, configuration is IConfigurationSection section ? section.Path : "");
        services.AddOptions<TunicornClientSettings>(builder.Name).Bind(configuration);
        return builder;
    }

    /// <summary>Registers <see cref="TunicornClient{TClient}"/>, its settings set in code.</summary>
    public static ITunicornClientBuilder AddTunicornClient<TClient>(this IServiceCollection services, Action<TunicornClientSettings> configure)
        where TClient : TBaseClient
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = AddCore<TClient>(services, "");
        services.Configure(builder.Name, configure);
        return builder;
    }

    private static TunicornClientBuilder AddCore<TClient>(IServiceCollection services, string path)
        where TClient : TBaseClient
    {
        ArgumentNullException.ThrowIfNull(services);
        string name = typeof(TClient).FullName!;
        services.AddOptions();
        services.Configure<TunicornClientHooks>(name, hooks => hooks.SectionPath ??= path);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TunicornClientSettings>, TunicornClientSettingsValidator>());
        services.AddOptions<TunicornClientSettings>(name).ValidateOnStart();
        services.TryAddSingleton(provider => Create<TClient>(provider, name));
        return new TunicornClientBuilder(name, services);
    }

    private static TunicornClient<TClient> Create<TClient>(IServiceProvider provider, string name)
        where TClient : TBaseClient
    {
        var settings = provider.GetRequiredService<IOptionsMonitor<TunicornClientSettings>>().Get(name);
        var hooks = provider.GetRequiredService<IOptionsMonitor<TunicornClientHooks>>().Get(name);
        var options = TunicornClientSettingsConverter.ToOptions(settings, hooks.Discovery?.Invoke(provider), hooks.Balancing?.Invoke(provider),
            provider.GetService<ILoggerFactory>(), provider.GetService<TimeProvider>() ?? TimeProvider.System);
        return new TunicornClient<TClient>(options);
    }
}
