// What replication tests ask a running cluster: each server's `status` (direct port 5561),
// whole channel histories, and a writer that records what the cluster acknowledged.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bib/client.hpp"
#include "support/cluster.hpp"

namespace bib::test {

struct ServerStatus {
  std::string node;
  std::string digest;
  std::int64_t events = 0;
  std::string coordinator;  // "" when none is known
  std::int64_t rank = 0;
  double time = 0;          // the server's physical clock when it answered
  double offset = 0;        // its clock offset
};

// The server's status, or nullopt when it does not answer within about a second.
std::optional<ServerStatus> status_of(const LocalCluster& cluster, int server);

// True once every listed server answers with the same digest and event count, at least
// min_events. On failure `why` says what each answered.
bool same_state(const LocalCluster& cluster, const std::vector<int>& servers, std::int64_t min_events,
                std::string* why = nullptr);

// True when the broker (its `broker` service) lists the server as live and paused: it takes
// no new requests (docs/broker.md, PAUSE).
bool paused_in_broker(const std::string& broker, const std::string& server);

// Every post of a channel as the given server holds it, oldest first (all pages).
std::vector<std::string> history_on(const LocalCluster& cluster, int server, const std::string& channel);

// Writes through the broker with our client library (retries, session guarantees) and keeps
// the text of every post the cluster acknowledged.
class Writer {
 public:
  Writer(const std::string& broker, std::string user, std::string channel);
  // login + channel; false (with the reply in last_error) when either is refused.
  bool setup();
  // One post; true and recorded when acknowledged with OK.
  bool post(const std::string& text);
  const std::vector<std::string>& acknowledged() const { return acknowledged_; }
  const std::string& channel() const { return channel_; }
  const std::string& last_error() const { return last_error_; }
  bib::Client& client() { return client_; }

 private:
  bib::Client client_;
  std::string user_;
  std::string channel_;
  std::vector<std::string> acknowledged_;
  std::string last_error_;
};

}  // namespace bib::test
