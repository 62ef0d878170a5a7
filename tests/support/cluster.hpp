// bib::test::LocalCluster: a real local cluster (reference, broker, proxy, N servers) for one
// test, started with tools/bib-cluster (docs/cluster.md) and always cleaned up.
//
//   ClusterOptions options;
//   options.servers = 3;
//   options.persistence = "sqlite";
//   LocalCluster cluster(options);
//   cluster.up();                                    // throws, with the launcher's output, on failure
//   bib::Client client(cluster.broker_endpoint());
//   ... cluster.kill("server-2"); cluster.start("server-2"); cluster.restart_all(); ...
//   // the destructor brings the cluster down, whatever the test did
//
// Isolation, so that tests run in parallel (ctest -j):
// - its own loopback /24, 127.A.B.0 (reference .1, broker .2, proxy .3, server-N .(10+N)),
//   chosen at random and held with a lock file for the fixture's lifetime, so two
//   LocalClusters never share a block;
// - its own work directory (state file, logs/<name>.log, data/<name>/) under the build
//   tree's Testing/tmp, kept after the test for post-mortems.
//
// Cleanup: the destructor runs `down`, then SIGKILLs every process any state file of this
// cluster recorded that still runs, checked by PID and /proc start time (a reused PID is never
// touched), and waits until they are gone.
//
// Every launcher call is bounded (`timeout`); every command that fails throws
// std::runtime_error with the command, its exit code and its output. Process names are the
// launcher's: "reference", "broker", "proxy", "server-1" ... "server-N".
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace bib::test {

struct ClusterOptions {
  int servers = 1;
  std::string persistence = "json";  // json | sqlite | memory (--persistence)
  std::string replication;           // --replication; empty: the launcher's default
  int bots = 0;                      // --bots
  std::vector<std::string> set;      // each "TARGET:KEY=VALUE", passed as --set
  bool secure = false;               // --secure: CURVE on every cluster link, keys in <workdir>/keys
  bool secure_clients = false;       // --secure-clients: and on the client ports
  std::chrono::seconds ready_timeout{40};  // up / start: until every server is listed and live
};

// One run of tools/bib-cluster.
struct LauncherRun {
  int code = -1;  // exit code; -1 when it did not exit normally
  std::string out;
  std::string err;
};

class LocalCluster {
 public:
  explicit LocalCluster(ClusterOptions options = {});
  ~LocalCluster();
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  void up();    // start and wait until ready
  void down();  // SIGTERM, SIGKILL after a short grace; logs and data stay
  // Stop and start the whole cluster on the same work directory: persisted data survives.
  void restart_all();

  void kill(const std::string& name);   // SIGKILL (a crash); returns once it is gone
  void stop(const std::string& name);   // SIGSTOP (a hang)
  void cont(const std::string& name);   // SIGCONT
  void start(const std::string& name);  // start a dead process again; a server: until live

  std::string broker_endpoint() const;      // tcp://base.2:5555, for clients
  std::string proxy_sub_endpoint() const;   // tcp://base.3:5558, for subscribers
  std::string server_endpoint(int n) const; // tcp://base.(10+n):5561, server-n's direct port
  const std::string& base() const { return base_; }  // "127.A.B"
  const std::string& workdir() const { return workdir_; }
  const ClusterOptions& options() const { return options_; }

  std::string log_of(const std::string& name) const;  // its whole log (all starts), for messages

  // Lower level, for tests of the launcher itself: one run with this cluster's work
  // directory (bounded, never throws on a non-zero exit).
  LauncherRun launcher(const std::vector<std::string>& args);
  // (pid, start time) of every process a state file of this cluster has recorded.
  const std::set<std::pair<long long, long long>>& recorded() const { return recorded_; }

 private:
  void must(const std::vector<std::string>& args);  // launcher(), throwing on a non-zero exit
  void remember_recorded();

  ClusterOptions options_;
  std::string base_;
  std::string block_lock_path_;  // held for the fixture's lifetime, see cluster.cpp
  int block_lock_fd_ = -1;
  std::string workdir_;
  int runs_ = 0;
  std::set<std::pair<long long, long long>> recorded_;
};

// The start time (clock ticks since boot) of a running, non-zombie process; 0 when gone.
long long process_start_time(long long pid);

}  // namespace bib::test
