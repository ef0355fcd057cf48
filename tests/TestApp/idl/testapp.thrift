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

  # Writes "stdout: TEXT" to Console.Out and "stderr: TEXT" to Console.Error (for capture_output).
  void say(1:string text)
}
