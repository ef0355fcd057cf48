# The service the integration tests run under Tunicorn: small calls to count and route,
# a blocking call for the timeout test, and a oneway call.

namespace netstd testapp
namespace py testapp

service TestService {
  # a + b: a cheap call for load tests.
  i32 add(1:i32 a, 2:i32 b),

  # The process id of the worker that served the call, so that tests see which worker answered.
  i32 pid(),

  # Blocks the serving thread for ms milliseconds (Thread.Sleep, deliberately not await).
  void sleep(1:i32 ms),

  # Returns s unchanged.
  string echo(1:string s),

  # Oneway: blocks ms milliseconds, no reply.
  oneway void fire(1:i32 ms),

  # Throws an exception the IDL does not declare, with message as its message (the client gets TApplicationException).
  void fail(1:string message),

  # Keeps allocating 4 MB arrays, held by a static list, until the runtime throws OutOfMemoryException (run the
  # worker under DOTNET_GCHeapHardLimit): a handler that leaks until the heap is full. Returns the MB held if it
  # reached max_mb first.
  i32 hoard(1:i32 max_mb),

  # Ends the worker process at once with this exit code (Environment.Exit), as a handler that calls it would.
  void exit_process(1:i32 code),

  # Writes "stdout: TEXT" to Console.Out and "stderr: TEXT" to Console.Error (for capture_output).
  void say(1:string text)
}
