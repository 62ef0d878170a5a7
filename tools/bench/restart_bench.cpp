#include "restart_bench.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <thread>

#include <zmq.hpp>

#include "bib/codec.hpp"

namespace bib::bench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartDeadline = std::chrono::minutes(10);

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A free port on 127.0.0.1, as the kernel hands one out.
std::string free_endpoint(zmq::context_t& zmq) {
  zmq::socket_t probe(zmq, zmq::socket_type::rep);
  probe.bind("tcp://127.0.0.1:*");
  return probe.get(zmq::sockopt::last_endpoint);
}

std::string config_text(const RestartRun& run, const std::string& endpoint) {
  std::string text = "[host]\nname = \"server-1\"\nlisten = \"" + endpoint + "\"\nplugin_path = \"" + run.plugin_dir +
                     "\"\nwire_log = \"off\"\n";
  for (const char* service : {"login", "channel", "publish", "message"})
    text += "\n[[plugins]]\nname = \"" + std::string(service) + "\"\n";
  text += "\n[[plugins]]\nname = \"persistence-" + run.plugin + "\"\ndir = \"" + run.data_dir + "\"\n";
  return text;
}

// One request on a fresh REQ socket; nothing after `timeout`.
std::optional<Envelope> request(zmq::context_t& zmq, const std::string& endpoint, const Envelope& envelope,
                                std::chrono::milliseconds timeout) {
  zmq::socket_t socket(zmq, zmq::socket_type::req);
  socket.set(zmq::sockopt::linger, 0);
  socket.connect(endpoint);
  const std::string body = encode_envelope(envelope);
  socket.send(zmq::buffer(body), zmq::send_flags::none);
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, timeout) <= 0) return std::nullopt;
  zmq::message_t reply;
  if (!socket.recv(reply)) return std::nullopt;
  Result<Envelope> decoded = decode_envelope(reply.to_string_view());
  if (!decoded) return std::nullopt;
  return decoded.value();
}

class Server {
 public:
  Server(const std::string& binary, const std::string& config, const std::string& log) {
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) throw std::runtime_error("cannot write " + log);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the benchmark
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
      ::execl(binary.c_str(), binary.c_str(), "--config", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out);
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() {
    if (pid_ > 0) stop(SIGKILL);
  }

  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }
  // Signals and waits; the exit code (or 128 + signal).
  int stop(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

struct Start {
  bool ok = false;
  double seconds = 0;
  std::uint64_t events = 0;
  std::string digest;
  double rss_mib = 0;
};

// Starts the server and times it until it answers `status`.
Start start_and_time(zmq::context_t& zmq, const RestartRun& run, const std::string& endpoint,
                     const std::string& config, const std::string& log, std::unique_ptr<Server>& server) {
  Start start;
  const auto began = Clock::now();
  server = std::make_unique<Server>(run.host_binary, config, log);
  while (Clock::now() - began < kStartDeadline) {
    if (!server->running()) {
      std::fprintf(stderr, "bib-host exited before serving; see %s\n", log.c_str());
      return start;
    }
    if (auto status = request(zmq, endpoint, Envelope{"status", Map{}}, std::chrono::milliseconds(100))) {
      start.seconds = seconds_since(began);
      start.events = static_cast<std::uint64_t>(status->data.get_int("events"));
      start.digest = status->data.get_string("digest");
      start.rss_mib = static_cast<double>(status->data.opt_int("memory_rss").value_or(0)) / (1024.0 * 1024.0);
      start.ok = true;
      return start;
    }
  }
  std::fprintf(stderr, "bib-host did not answer within %lld s; see %s\n",
               static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(kStartDeadline).count()),
               log.c_str());
  return start;
}

bool write_tail(zmq::context_t& zmq, const std::string& endpoint, std::uint64_t posts) {
  auto ok = [&](const std::string& service, Map data) {
    auto reply = request(zmq, endpoint, Envelope{service, std::move(data)}, std::chrono::seconds(10));
    return reply && reply->data.opt_string("status").value_or("") != "erro";
  };
  if (!ok("login", Map{{"user", "bench-tail"}}) || !ok("channel", Map{{"channel", "bench-tail"}})) return false;
  for (std::uint64_t n = 0; n < posts; ++n)
    if (!ok("publish", Map{{"user", "bench-tail"}, {"channel", "bench-tail"}, {"message", "post " + std::to_string(n)}}))
      return false;
  return true;
}

std::uintmax_t checkpoint_bytes(const RestartRun& run) {
  const std::filesystem::path file =
      std::filesystem::path(run.data_dir) / (run.plugin == "json" ? "checkpoint.bin" : "events.db");
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  return ec ? 0 : size;
}

}  // namespace

bool bench_restart(const RestartRun& run) {
  zmq::context_t zmq;
  const std::string endpoint = free_endpoint(zmq);
  const std::string config = (std::filesystem::path(run.run_dir) / ("restart-" + run.plugin + ".toml")).string();
  std::ofstream(config) << config_text(run, endpoint);
  auto log = [&](const char* which) {
    return (std::filesystem::path(run.run_dir) / ("restart-" + run.plugin + "-" + which + ".log")).string();
  };

  std::unique_ptr<Server> server;
  const Start full = start_and_time(zmq, run, endpoint, config, log("full"), server);
  if (!full.ok) return false;
  const auto stopping = Clock::now();
  const int code = server->stop(SIGTERM);
  const double stop_seconds = seconds_since(stopping);
  const Start warm = start_and_time(zmq, run, endpoint, config, log("checkpoint"), server);
  if (!warm.ok) return false;
  if (!write_tail(zmq, endpoint, run.tail)) {
    std::fprintf(stderr, "the posts after the checkpoint failed; see %s\n", log("checkpoint").c_str());
    return false;
  }
  server->stop(SIGKILL);
  const Start crash = start_and_time(zmq, run, endpoint, config, log("after-kill"), server);
  server->stop(SIGTERM);
  if (!crash.ok) return false;

  const std::uint64_t after_tail = run.events + run.tail + 2;  // + the tail's login and channel
  std::printf("%-8s %10llu %12.3f %9.3f %14.3f %18.3f %12.1f %14.1f\n", run.plugin.c_str(),
              static_cast<unsigned long long>(run.events), full.seconds, stop_seconds, warm.seconds, crash.seconds,
              static_cast<double>(checkpoint_bytes(run)) / (1024.0 * 1024.0), warm.rss_mib);
  bool ok = true;
  auto expect = [&](bool condition, const std::string& what) {
    if (!condition) std::fprintf(stderr, "%s: %s\n", run.plugin.c_str(), what.c_str());
    ok = ok && condition;
  };
  expect(code == 0, "the SIGTERM stop exited with " + std::to_string(code));
  expect(full.events == run.events, "the first start holds " + std::to_string(full.events) + " events");
  expect(warm.events == run.events && warm.digest == full.digest, "the start from the checkpoint differs");
  expect(crash.events == after_tail, "the start after SIGKILL holds " + std::to_string(crash.events) + " events, not " +
                                         std::to_string(after_tail));
  return ok;
}

}  // namespace bib::bench
