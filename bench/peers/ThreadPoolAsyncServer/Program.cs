using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Thrift;
using Thrift.Processor;
using Thrift.Protocol;
using Thrift.Server;
using Thrift.Transport;
using Thrift.Transport.Server;
using Tunicorn.Bench.Service;
using Tunicorn.Examples.Calculator;

namespace Tunicorn.Bench.Peers;

/// <summary>
/// <c>ThreadPoolAsyncServer --port P [--transport buffered|framed] [--service calculator|bench]</c>: serves one
/// handler with Apache Thrift's TThreadPoolAsyncServer on 127.0.0.1 (binary protocol) until SIGTERM or SIGINT.
/// Thread pool limits are left at the .NET defaults, as the library does when none are given.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        int port = 0;
        string transport = "buffered";
        string service = "calculator";
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--port": port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--transport": transport = args[i + 1]; break;
                case "--service": service = args[i + 1]; break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}");
                    return 2;
            }
        }
        if (port <= 0 || args.Length % 2 != 0)
        {
            Console.Error.WriteLine("usage: ThreadPoolAsyncServer --port P [--transport buffered|framed] [--service calculator|bench]");
            return 2;
        }

        ITAsyncProcessor processor = service switch
        {
            "calculator" => new tutorial.Calculator.AsyncProcessor(new CalculatorHandler()),
            "bench" => new bench.BenchService.AsyncProcessor(new BenchServiceHandler()),
            _ => throw new ArgumentException($"unknown service '{service}' (calculator or bench)"),
        };
        TTransportFactory transportFactory = transport switch
        {
            "buffered" => new TBufferedTransport.Factory(),
            "framed" => new TFramedTransport.Factory(),
            _ => throw new ArgumentException($"unknown transport '{transport}' (buffered or framed)"),
        };

        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.NoDelay = true;
        var serverTransport = new TServerSocketTransport(listener, new TConfiguration());
        var protocolFactory = new TBinaryProtocol.Factory();
        var server = new TThreadPoolAsyncServer(new TSingletonProcessorFactory(processor), serverTransport,
            transportFactory, transportFactory, protocolFactory, protocolFactory, new TThreadPoolAsyncServer.Configuration());

        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        Console.Error.WriteLine($"TThreadPoolAsyncServer serving {service} ({transport}, binary) on 127.0.0.1:{port} (pid {Environment.ProcessId})");
        try
        {
            await server.ServeAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }
}
