using Company.Client.Thrift;
using Tunicorn.Client;
using Tunicorn.Client.Balancing;
using Tunicorn.Client.Discovery;

// The servers to call, HOST:PORT each. With a registry instead: new ZooKeeperDiscovery(...) or new EtcdDiscovery(...)
// find the servers that Tunicorn registers (--service-register-cls zookeeper|etcd) and follow them as they come and go.
string[] servers = args.Length > 0 ? args : ["127.0.0.1:9090"];

await using var client = new TunicornClient<ExampleService.Client>(
    new TunicornClientOptions
    {
        Discovery = new StaticDiscovery(servers),
        Balancing = new RoundRobinPolicy(),
        CallTimeout = TimeSpan.FromSeconds(5),
    },
    protocol => new ExampleService.Client(protocol));
await client.StartAsync();

await client.CallAsync((service, ct) => service.ping(ct));
int sum = await client.CallAsync((service, ct) => service.add(1, 2, ct));
string greeting = await client.CallAsync((service, ct) => service.greet("Tunicorn", ct));
Console.WriteLine($"add(1, 2) = {sum}");
Console.WriteLine(greeting);
