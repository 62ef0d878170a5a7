// The replication plugins' options, checked (docs/replication.md). Both plugins take the same
// table; cluster_size matters only to replication-quorum.
//
//   [[plugins]]
//   name = "replication-async"            # or "replication-quorum"
//   listen = "tcp://127.0.2.1:5562"       # required: this server's replication port
//   peer_port = 5562                      # peers' replication port (at their discovery address)
//   batch = 256                           # events per message (replicate, sync_reply)
//   retry_ms = 200                        # first retry of an unacknowledged batch
//   max_retry_ms = 5000                   # back-off ceiling
//   outbox_limit = 100000                 # events queued per peer before the outbox is dropped
//   anti_entropy_ms = 2000                # version-vector exchange period
//   quorum_timeout_ms = 3000              # quorum: how long a write waits for a majority
//   cluster_size = 0                      # quorum: servers in the cluster (0 = as discovery saw);
//                                         # also a string of digits, e.g. "${BIB_SERVERS:-0}"
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "bib/value.hpp"

namespace bib::replication {

enum class Mode { async, quorum };
const char* to_string(Mode mode) noexcept;

struct ReplicationOptions {
  std::string listen;
  int peer_port = 5562;
  std::size_t batch = 256;
  std::chrono::milliseconds retry{200};
  std::chrono::milliseconds max_retry{5000};
  std::size_t outbox_limit = 100000;
  std::chrono::milliseconds anti_entropy{2000};
  std::chrono::milliseconds quorum_timeout{3000};
  std::size_t cluster_size = 0;  // 0: unset
};

// Throws std::invalid_argument naming the option: unknown key, wrong type, value out of range.
ReplicationOptions parse_replication_options(const Value& config);

}  // namespace bib::replication
