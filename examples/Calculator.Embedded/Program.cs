using Tunicorn.Examples.Calculator.Embedded;
using Tunicorn.Examples.Calculator;
using Tunicorn.Hosting;

// The master runs this program again for each worker, so everything registered here is there in workers too.
return await new TunicornHostBuilder(args)
    .Serve<CalculatorHandler>()
    .UseHooks(new EmbeddedHooks())
    .RunAsync();
