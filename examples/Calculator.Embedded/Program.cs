using Tunicorn.Examples.Calculator.Embedded;
using Tunicorn.Examples.Calculator;
using Tunicorn.Hosting;

// The master runs this program again for each worker, so everything registered here is there in workers too.
// The generated processor is named, not looked up by name, so that a NativeAOT publish keeps it.
return await new TunicornHostBuilder(args)
    .Serve<CalculatorHandler, tutorial.Calculator.AsyncProcessor>()
    .UseHooks(new EmbeddedHooks())
    .RunAsync();
