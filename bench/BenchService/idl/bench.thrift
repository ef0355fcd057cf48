# The bench's own service: the cheapest call and an echo of a payload of any size, so that the load
# generator can measure per-call overhead and bytes moved against every server with the same handler logic.
# Served by Tunicorn (BenchService.dll), by the C# TThreadPoolAsyncServer peer and by the C++ peers.

namespace netstd bench
namespace cpp bench

service BenchService {
  # a + b.
  i32 add(1:i32 a, 2:i32 b),

  # Returns data unchanged.
  binary echo(1:binary data)
}
