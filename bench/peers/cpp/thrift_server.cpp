// Peer for the bench: Apache Thrift C++ (Debian's libthrift) serving the tutorial Calculator or the bench
// service with TThreadedServer (a thread per connection) or TNonblockingServer (libevent, framed only).
//   thrift_server --server threaded|nonblocking --port P [--transport buffered|framed]
//                 [--service calculator|bench] [--io-threads N]
// Listens on 127.0.0.1 only, binary protocol. SIGTERM ends it (the runner stops it by pid).
// Built by bench/run.sh from code that `thrift --gen cpp` generates at build time; nothing generated is kept.

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unistd.h>

#include <thrift/concurrency/ThreadFactory.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/server/TNonblockingServer.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TNonblockingServerSocket.h>
#include <thrift/transport/TServerSocket.h>

#include "BenchService.h"
#include "Calculator.h"

using apache::thrift::TProcessor;
using apache::thrift::protocol::TBinaryProtocolFactory;
using apache::thrift::server::TNonblockingServer;
using apache::thrift::server::TServer;
using apache::thrift::server::TThreadedServer;
using apache::thrift::transport::TBufferedTransportFactory;
using apache::thrift::transport::TFramedTransportFactory;
using apache::thrift::transport::TNonblockingServerSocket;
using apache::thrift::transport::TServerSocket;
using apache::thrift::transport::TTransportFactory;

namespace {

// The tutorial's Calculator, as examples/Calculator/CalculatorHandler.cs does it.
class CalculatorHandler : public tutorial::CalculatorIf {
public:
  void ping() override {}

  int32_t add(const int32_t num1, const int32_t num2) override { return num1 + num2; }

  int32_t calculate(const int32_t logid, const tutorial::Work& work) override {
    int32_t value = 0;
    switch (work.op) {
    case tutorial::Operation::ADD: value = work.num1 + work.num2; break;
    case tutorial::Operation::SUBTRACT: value = work.num1 - work.num2; break;
    case tutorial::Operation::MULTIPLY: value = work.num1 * work.num2; break;
    case tutorial::Operation::DIVIDE:
      if (work.num2 == 0) {
        tutorial::InvalidOperation io;
        io.whatOp = work.op;
        io.why = "Cannot divide by 0";
        throw io;
      }
      value = work.num1 / work.num2;
      break;
    default: {
      tutorial::InvalidOperation io;
      io.whatOp = work.op;
      io.why = "Invalid operation";
      throw io;
    }
    }
    shared::SharedStruct entry;
    entry.key = logid;
    entry.value = std::to_string(value);
    std::lock_guard<std::mutex> guard(mutex_);
    log_[logid] = entry;
    return value;
  }

  void getStruct(shared::SharedStruct& ret, const int32_t key) override {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = log_.find(key);
    if (it != log_.end())
      ret = it->second;
  }

  void zip() override {}

private:
  std::mutex mutex_;
  std::map<int32_t, shared::SharedStruct> log_;
};

// bench/BenchService/idl/bench.thrift, as bench/BenchService/BenchServiceHandler.cs does it.
class BenchHandler : public bench::BenchServiceIf {
public:
  int32_t add(const int32_t a, const int32_t b) override { return a + b; }
  void echo(std::string& ret, const std::string& data) override { ret = data; }
};

int usage() {
  std::cerr << "usage: thrift_server --server threaded|nonblocking --port P [--transport buffered|framed]"
               " [--service calculator|bench] [--io-threads N]\n";
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  std::string server_kind, transport = "buffered", service = "calculator";
  int port = 0, io_threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i], value = argv[i + 1];
    if (name == "--server") server_kind = value;
    else if (name == "--port") port = std::atoi(value.c_str());
    else if (name == "--transport") transport = value;
    else if (name == "--service") service = value;
    else if (name == "--io-threads") io_threads = std::atoi(value.c_str());
    else return usage();
  }
  if (argc % 2 != 1 || port <= 0 || io_threads <= 0 || (server_kind != "threaded" && server_kind != "nonblocking")
      || (transport != "buffered" && transport != "framed") || (service != "calculator" && service != "bench"))
    return usage();
  if (server_kind == "nonblocking" && transport != "framed") {
    std::cerr << "thrift_server: TNonblockingServer speaks framed transport only\n";
    return 2;
  }

  std::shared_ptr<TProcessor> processor;
  if (service == "calculator")
    processor = std::make_shared<tutorial::CalculatorProcessor>(std::make_shared<CalculatorHandler>());
  else
    processor = std::make_shared<bench::BenchServiceProcessor>(std::make_shared<BenchHandler>());
  auto protocol = std::make_shared<TBinaryProtocolFactory>();

  std::unique_ptr<TServer> server;
  if (server_kind == "threaded") {
    std::shared_ptr<TTransportFactory> transports;
    if (transport == "framed")
      transports = std::make_shared<TFramedTransportFactory>();
    else
      transports = std::make_shared<TBufferedTransportFactory>();
    auto socket = std::make_shared<TServerSocket>("127.0.0.1", port);
    server = std::make_unique<TThreadedServer>(processor, socket, transports, protocol);
  } else {
    auto socket = std::make_shared<TNonblockingServerSocket>("127.0.0.1", port);
    auto nonblocking = std::make_unique<TNonblockingServer>(processor, protocol, socket);
    // Calls run on the I/O threads (no thread manager): the handlers never block.
    nonblocking->setNumIOThreads(static_cast<size_t>(io_threads));
    server = std::move(nonblocking);
  }

  // SIGTERM and SIGINT keep their default action (end the process): there is no state to save.
  std::signal(SIGPIPE, SIG_IGN);
  std::cerr << "thrift_server: " << server_kind << " serving " << service << " (" << transport
            << ", binary) on 127.0.0.1:" << port << " (pid " << getpid() << ")" << std::endl;
  server->serve();
  return 0;
}
