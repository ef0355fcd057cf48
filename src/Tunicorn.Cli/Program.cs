using Tunicorn.Hosting;

// The `tunicorn` command: the same host serves as master and, re-launched by the master, as worker.
return await TunicornHost.RunAsync(args);
