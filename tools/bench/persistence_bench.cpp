// bib-bench-persistence: how fast each persistence plugin appends and replays, and what it
// costs in disk and memory. Loads the plugin libraries as bib-host does.
//
//   bib-bench-persistence [--events N] [--plugin json|sqlite|memory|postgres|all]
//                         [--fsync never|batch|always] [--dir PARENT] [--keep]
//                         [--postgres CONNINFO] [--restart [--tail N] [--host BIB_HOST]]
//
// postgres needs --postgres (libpq's conninfo; "all" takes it in only then): its events go to
// a schema of the run's own, dropped at the end unless --keep, and its bytes are on the
// server (shown as "-").
// Per plugin, in a child process (so that peak RSS is that phase's own): append N events of
// every service, flushing every 100 appends as the host flushes once per loop iteration
// before its replies, and stop; then, in another child process, replay them in a fresh
// instance, as a restart would (the memory plugin, which keeps nothing across instances,
// replays the same one). Prints append and replay events/s, the time stop() took, bytes on
// disk and peak RSS of each phase; exits non-zero when a replay does not give back N events
// or a plugin fails. With --restart, json and sqlite then go through restart_bench.hpp: a
// bib-host started on the stored events, timed until it serves, without and with a checkpoint.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench_context.hpp"
#include "restart_bench.hpp"
#include "pg_connection.hpp"
#include "bib/persistence.hpp"
#include "bib/plugin.hpp"
#include "bib/version.hpp"
#include "plugin_dirs.hpp"
#include "plugin_loader.hpp"

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kFlushEvery = 100;

struct Options {
  std::size_t events = 100000;
  std::string plugin = "all";
  std::string fsync = "batch";
  std::string parent_dir;
  std::string plugin_dir;
  std::string postgres;  // conninfo; empty: postgres is not benchmarked
  bool keep = false;
  bool restart = false;     // time bib-host starts on the stored events (restart_bench.hpp)
  std::uint64_t tail = 2000;
  std::string host_binary;  // default: bib-host beside this program
};

// Deterministic traffic: mostly posts and private messages, some logins and channels, and a
// service with no file of its own in persistence-json (left out when a bib-host with the stock
// services must replay them: it refuses events no plugin answers).
class EventSource {
 public:
  explicit EventSource(bool stock_services_only = false) : stock_only_(stock_services_only) {}
  bib::Event next() {
    bib::Event e;
    e.origin = (n_ % 3 == 0) ? "server-2" : "server-1";
    e.seq = ++seq_[e.origin == "server-1" ? 0 : 1];
    e.clock = ++n_;
    e.timestamp = 1732780000.0 + static_cast<double>(n_) * 0.001;
    e.request_id = "client-" + std::to_string(n_ % 97) + "-" + std::to_string(n_);
    const std::string user = "user" + std::to_string(random() % 1000);
    const std::string channel = "channel" + std::to_string(random() % 50);
    const unsigned kind = random() % 100;
    if (kind < 3) {
      e.service = "login";
      e.data = bib::Map{{"user", user}};
    } else if (kind < 5) {
      e.service = "channel";
      e.data = bib::Map{{"channel", channel}};
    } else if (kind < 55) {
      e.service = "publish";
      e.data = bib::Map{{"user", user}, {"channel", channel}, {"message", text()}};
    } else if (kind < 99 || stock_only_) {
      e.service = "message";
      e.data = bib::Map{{"src", user}, {"dst", "user" + std::to_string(random() % 1000)}, {"message", text()}};
    } else {
      e.service = "poll";
      e.data = bib::Map{{"question", text()}, {"options", bib::Array{"yes", "no"}}};
    }
    return e;
  }

 private:
  unsigned random() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<unsigned>(state_ >> 33);
  }
  std::string text() {
    static const std::string words[] = {"olá", "pessoal", "reunião", "amanhã", "às", "dez", "quem", "vem",
                                        "ao", "canal", "hoje", "sim", "não", "talvez", "obrigado", "🙂"};
    std::string s;
    const unsigned count = 4 + random() % 16;
    for (unsigned i = 0; i < count; ++i) s += (i ? " " : "") + words[random() % 16];
    return s;
  }

  bool stock_only_;
  std::uint64_t state_ = 42;
  std::uint64_t n_ = 0;
  std::uint64_t seq_[2] = {0, 0};
};

// Peak resident set size of this process, in bytes (VmHWM).
std::size_t peak_rss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

std::uintmax_t bytes_on_disk(const fs::path& dir) {
  std::uintmax_t total = 0;
  if (!fs::exists(dir)) return 0;  // persistence-memory writes nothing
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) total += entry.file_size();
  return total;
}

std::string mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024.0));
  return buf;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One persistence plugin library, loaded and checked by the host's own loader
// (host/plugin_loader.hpp: the same ABI and descriptor checks as bib-host), and objects made
// by it (destroyed before the library goes).
class LoadedPlugin {
 public:
  LoadedPlugin(const std::string& name, const std::string& file)
      : library_(bib::host::load_plugin_library(bib::host::PluginEntry{name, file, bib::Map{}, ""}, file)) {
    if (library_.descriptor->kind != bib::PluginKind::persistence)
      throw std::runtime_error(file + ": not a persistence plugin");
  }
  std::unique_ptr<bib::PersistencePlugin> create() const {
    std::unique_ptr<bib::Plugin> plugin = library_.descriptor->create();
    auto* persistence = dynamic_cast<bib::PersistencePlugin*>(plugin.get());
    if (persistence == nullptr) throw std::runtime_error("the plugin is not a bib::PersistencePlugin");
    plugin.release();
    return std::unique_ptr<bib::PersistencePlugin>(persistence);
  }

 private:
  bib::host::PluginLibrary library_;
};

// What one phase measured, sent from its child process to the parent through a pipe.
struct Phase {
  bool ok = false;
  double events_per_second = 0;
  double stop_seconds = 0;         // stop() after appending: what is left is written and synced
  std::size_t peak_rss = 0;
  std::uintmax_t bytes_on_disk = 0;
  std::size_t replayed = 0;
};

using PluginFactory = std::function<std::unique_ptr<bib::PersistencePlugin>()>;

// Appends the events, flushing every kFlushEvery; the memory plugin then replays the same
// object (a new one would hold nothing), the others stop.
Phase append_phase(const Options& options, const PluginFactory& create, bib::bench::BenchContext& ctx, bool memory,
                   const fs::path& dir) {
  Phase phase;
  auto plugin = create();
  plugin->configure(ctx);
  plugin->replay([](const bib::Event&) {});
  EventSource source(options.restart);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 1; i <= options.events; ++i) {
    plugin->append(source.next());
    if (i % kFlushEvery == 0) {
      plugin->flush();
      ctx.bench_loop().run_posted();  // the host's next loop iteration
    }
  }
  plugin->flush();
  ctx.bench_loop().run_posted();
  const double append_seconds = seconds_since(start);
  phase.events_per_second = static_cast<double>(options.events) / append_seconds;
  if (memory) {
    const auto replay_start = std::chrono::steady_clock::now();
    plugin->replay([&](const bib::Event&) { ++phase.replayed; });
    phase.stop_seconds = seconds_since(replay_start);  // here: the replay's time
  } else {
    plugin->stop();
    phase.stop_seconds = seconds_since(start) - append_seconds;
  }
  plugin.reset();
  phase.peak_rss = peak_rss();
  phase.bytes_on_disk = bytes_on_disk(dir);
  phase.ok = true;
  return phase;
}

// A fresh instance over the directory, as a restarted process: replay everything.
Phase replay_phase(const PluginFactory& create, bib::Context& ctx) {
  Phase phase;
  auto plugin = create();
  plugin->configure(ctx);
  const auto start = std::chrono::steady_clock::now();
  plugin->replay([&](const bib::Event&) { ++phase.replayed; });
  phase.events_per_second = static_cast<double>(phase.replayed) / seconds_since(start);
  plugin->stop();
  plugin.reset();
  phase.peak_rss = peak_rss();
  phase.ok = true;
  return phase;
}

// Runs fn in a child process of its own, so that its peak RSS is its own.
Phase in_child(const std::string& name, const std::function<Phase()>& fn) {
  int fds[2];
  if (::pipe(fds) != 0) {
    std::perror("pipe");
    return {};
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    return {};
  }
  if (pid == 0) {
    ::close(fds[0]);
    Phase phase;
    try {
      phase = fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), e.what());
    }
    const bool sent = ::write(fds[1], &phase, sizeof phase) == static_cast<ssize_t>(sizeof phase);
    std::fflush(stderr);
    ::_exit(sent && phase.ok ? 0 : 1);
  }
  ::close(fds[1]);
  Phase phase;
  ssize_t got = 0;
  do got = ::read(fds[0], &phase, sizeof phase);
  while (got < 0 && errno == EINTR);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (got != static_cast<ssize_t>(sizeof phase) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  return phase;
}

// One row of the table. False when the plugin failed or replayed a wrong number of events.
bool bench_plugin(const Options& options, const std::string& name, const fs::path& dir) {
  const bool memory = name == "memory";
  const bool postgres = name == "postgres";
  const std::string plugin = "persistence-" + name;
  const std::string file = bib::host::plugin_file({plugin, "", bib::Map{}, ""}, options.plugin_dir, "");
  bib::Map config{{"dir", dir.string()}, {"fsync", options.fsync}};
  if (postgres) {
    config["conninfo"] = options.postgres;
    config["schema"] = dir.parent_path().filename().string();  // the run's folder name: its own
  }
  auto context = [&] { return std::make_unique<bib::bench::BenchContext>(config, spdlog::level::warn); };
  const Phase append = in_child(name, [&] {
    const LoadedPlugin library(plugin, file);
    auto ctx = context();
    return append_phase(options, [&] { return library.create(); }, *ctx, memory, dir);
  });
  Phase replay;
  if (memory) {
    replay = append;
    replay.events_per_second = static_cast<double>(append.replayed) / append.stop_seconds;
  } else if (append.ok) {
    replay = in_child(name, [&] {
      const LoadedPlugin library(plugin, file);
      auto ctx = context();
      return replay_phase([&] { return library.create(); }, *ctx);
    });
  }
  if (!append.ok || !replay.ok) {
    std::printf("%-8s failed (see above)\n", name.c_str());
    return false;
  }
  std::printf("%-8s %13.0f %9.3f %13.0f %14s %16s %16s %10zu\n", name.c_str(), append.events_per_second,
              memory ? 0.0 : append.stop_seconds, replay.events_per_second,
              postgres ? "-" : mib(static_cast<double>(append.bytes_on_disk)).c_str(),
              mib(static_cast<double>(append.peak_rss)).c_str(),
              mib(static_cast<double>(replay.peak_rss)).c_str(), replay.replayed);
  if (replay.replayed != options.events) {
    std::fprintf(stderr, "%s: replayed %zu events, expected %zu\n", name.c_str(), replay.replayed, options.events);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  const char* tmp = std::getenv("TMPDIR");
  options.parent_dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  options.plugin_dir = bib::host::default_plugin_dir();  // where bib-host looks (host/plugin_dirs.hpp)

  CLI::App app{"Append and replay throughput of the persistence plugins"};
  app.set_version_flag("--version", std::string("bib-bench-persistence " BIB_VERSION_STRING));
  app.add_option("--events", options.events, "events to append and replay")->check(CLI::PositiveNumber);
  app.add_option("--plugin", options.plugin, "json, sqlite, memory, postgres or all")
      ->check(CLI::IsMember({"json", "sqlite", "memory", "postgres", "all"}));
  app.add_option("--postgres", options.postgres,
                 "libpq conninfo of a PostgreSQL server for persistence-postgres (\"host=... dbname=...\")");
  app.add_option("--fsync", options.fsync, "the plugins' fsync option")->check(CLI::IsMember({"never", "batch", "always"}));
  app.add_option("--dir", options.parent_dir, "where the data directories are made (default $TMPDIR or /tmp)");
  app.add_option("--plugin-dir", options.plugin_dir, "where bib-persistence-*.so are");
  app.add_flag("--keep", options.keep, "keep the data directories");
  app.add_flag("--restart", options.restart, "then time bib-host starts on the json and sqlite stores (with and without a checkpoint)");
  app.add_option("--tail", options.tail, "with --restart: posts written between the checkpoint and a SIGKILL")->capture_default_str();
  app.add_option("--host", options.host_binary, "with --restart: the bib-host to start (default: beside this program)");
  CLI11_PARSE(app, argc, argv);
  if (options.plugin == "postgres" && options.postgres.empty()) {
    std::fprintf(stderr, "bib-bench-persistence: --plugin postgres needs --postgres CONNINFO\n");
    return 2;
  }

  std::vector<std::string> plugins =
      options.plugin == "all" ? std::vector<std::string>{"json", "sqlite", "memory"} : std::vector<std::string>{options.plugin};
  if (options.plugin == "all" && !options.postgres.empty()) plugins.push_back("postgres");

  std::error_code ec;
  fs::create_directories(options.parent_dir, ec);
  std::string root_template = (fs::path(options.parent_dir) / "bib-bench-persistence-XXXXXX").string();
  if (::mkdtemp(root_template.data()) == nullptr) {
    std::perror(("mkdtemp " + root_template).c_str());
    return 1;
  }
  const fs::path root = root_template;

  std::printf("%zu events, fsync %s, a flush every %zu appends, data in %s\n", options.events, options.fsync.c_str(),
              kFlushEvery, root.c_str());
  std::printf("%-8s %13s %9s %13s %14s %16s %16s %10s\n", "plugin", "append ev/s", "stop s", "replay ev/s",
              "bytes on disk", "peak RSS append", "peak RSS replay", "replayed");
  int failures = 0;
  for (const std::string& name : plugins) {
    const fs::path dir = root / name;
    if (!bench_plugin(options, name, dir)) ++failures;
  }
  if (options.restart) {
    if (options.host_binary.empty())
      options.host_binary = (fs::read_symlink("/proc/self/exe").parent_path() / "bib-host").string();
    std::printf("\nbib-host started on the stored events, until it answers status (seconds):\n");
    std::printf("%-8s %10s %12s %9s %14s %18s %12s %14s\n", "plugin", "events", "whole replay", "stop",
                "from checkpt", "checkpt + tail", "checkpt MiB", "RSS MiB");
    for (const std::string& name : plugins) {
      if (name != "json" && name != "sqlite") continue;
      bib::bench::RestartRun run{name, (root / name).string(), root.string(), options.host_binary, options.plugin_dir,
                                 options.events, options.tail};
      if (!bib::bench::bench_restart(run)) ++failures;
    }
  }
  if (!options.keep) {
    fs::remove_all(root, ec);
    if (std::find(plugins.begin(), plugins.end(), "postgres") != plugins.end()) {
      try {
        bib::persistence::PgConnection db(options.postgres);
        db.exec("DROP SCHEMA IF EXISTS " + db.quote_identifier(root.filename().string()) + " CASCADE",
                "dropping the run's schema");
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        ++failures;
      }
    }
  }
  return failures == 0 ? 0 : 1;
}
