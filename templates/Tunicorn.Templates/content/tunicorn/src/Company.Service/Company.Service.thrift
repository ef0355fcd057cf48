// The service's interface. Edit it and build: the C# types are generated again.
namespace netstd Company.Service.Thrift
namespace py example_service

exception InvalidName {
  1: string reason
}

service ExampleService {
  // Answers nothing: callers check that the service is up.
  void ping()

  i32 add(1: i32 a, 2: i32 b)

  // "Hello, NAME!"; an empty name raises InvalidName.
  string greet(1: string name) throws (1: InvalidName invalid)
}
