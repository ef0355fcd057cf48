using Company.Service;
using Tunicorn.Hosting;

// Embedded mode: this program is the master and, started again by it, each worker; everything registered here is
// there in every process. The generated processor is named (not looked up by name), so NativeAOT keeps it.
// Options and tunicorn.toml (read from the working directory) are those of the tunicorn command: --help lists them.
return await new TunicornHostBuilder(args)
    .Serve<ExampleServiceHandler, Company.Service.Thrift.ExampleService.AsyncProcessor>()
    .UseHooks(new ServiceHooks())
    .RunAsync();
