using Microsoft.Extensions.DependencyInjection;

namespace Tunicorn.Client.DependencyInjection;

internal sealed class TunicornClientBuilder(string name, IServiceCollection services) : ITunicornClientBuilder
{
    public string Name { get; } = name;

    public IServiceCollection Services { get; } = services;
}
