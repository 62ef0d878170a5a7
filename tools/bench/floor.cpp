#include "floor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>
#include <vector>

#include <zmq.hpp>

namespace bib::bench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kEchoWorkers = 3;

// Echoes until the context is shut down.
void echo_worker(zmq::context_t& zmq, const std::string& backend) {
  zmq::socket_t socket(zmq, zmq::socket_type::rep);
  socket.set(zmq::sockopt::linger, 0);
  socket.connect(backend);
  try {
    for (;;) {
      zmq::message_t message;
      if (!socket.recv(message)) continue;
      socket.send(message, zmq::send_flags::none);
    }
  } catch (const zmq::error_t&) {
    // ETERM: the run is over.
  }
}

std::string bound_endpoint(zmq::socket_t& socket) {
  socket.bind("tcp://127.0.0.1:*");
  return socket.get(zmq::sockopt::last_endpoint);
}

}  // namespace

Summary raw_echo(const LoadSettings& settings, const std::string& payload) {
  zmq::context_t zmq;
  zmq::socket_t frontend(zmq, zmq::socket_type::router);
  zmq::socket_t backend(zmq, zmq::socket_type::dealer);
  for (zmq::socket_t* s : {&frontend, &backend}) s->set(zmq::sockopt::linger, 0);
  const std::string front = bound_endpoint(frontend);
  const std::string back = bound_endpoint(backend);
  std::thread proxy([&] {
    try {
      zmq::proxy(frontend, backend);
    } catch (const zmq::error_t&) {
      // ETERM
    }
    frontend.close();
    backend.close();
  });
  std::vector<std::thread> workers;
  for (int i = 0; i < kEchoWorkers; ++i) workers.emplace_back(echo_worker, std::ref(zmq), back);

  LoadSettings closed = settings;
  closed.rate = 0;
  closed.progress = false;
  LoadResult result = run_load(closed, [&](int) -> Step {
    auto socket = std::make_shared<zmq::socket_t>(zmq, zmq::socket_type::req);
    socket->set(zmq::sockopt::linger, 0);
    socket->connect(front);
    return [socket, &payload](std::string& operation, std::string& error) {
      operation = "raw echo";
      socket->send(zmq::buffer(payload), zmq::send_flags::none);
      zmq::message_t reply;
      if (!socket->recv(reply) || reply.size() != payload.size()) {
        error = "no echo";
        return false;
      }
      return true;
    };
  });
  zmq.shutdown();  // the proxy and the workers end; the clients' sockets went with their steps
  proxy.join();
  for (auto& w : workers) w.join();
  Timed& timed = result.by_operation["raw echo"];
  return summarize("raw echo", std::move(timed.latencies_ms), timed.errors, result.seconds);
}

Summary fdatasync_floor(const std::string& dir, int samples) {
  const std::string path = (std::filesystem::path(dir) / ".bib-bench-fdatasync").string();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + path);
  const std::string line(99, 'x');
  std::vector<double> latencies;
  std::size_t errors = 0;
  const auto start = Clock::now();
  for (int i = 0; i < samples; ++i) {
    const auto t0 = Clock::now();
    const bool ok = ::write(fd, (line + "\n").data(), 100) == 100 && ::fdatasync(fd) == 0;
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (ok) latencies.push_back(ms);
    else ++errors;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  ::close(fd);
  ::unlink(path.c_str());
  return summarize("append + fdatasync", std::move(latencies), errors, seconds);
}

}  // namespace bib::bench
