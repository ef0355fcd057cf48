using Microsoft.Extensions.DependencyInjection;

namespace Tunicorn.Client.DependencyInjection;

/// <summary>What AddTunicornClient returns, to configure that client further (as IHttpClientBuilder does for AddHttpClient).</summary>
public interface ITunicornClientBuilder
{
    /// <summary>The options name of this client's <see cref="TunicornClientSettings"/>: the generated client's full type name.</summary>
    string Name { get; }

    IServiceCollection Services { get; }
}
