// What the host's checkpoint holds inside its envelope (checkpoint_seal.hpp; docs/persistence.md,
// "Checkpoints"), written and read in one place so the two never disagree: the next local
// seq, the Lamport clock, the version vector (EventStore), the count and digest (EventLog),
// the remembered request ids (RequestLog), the services with applied events, and each service
// plugin's state by plugin name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bib/state_bytes.hpp"
#include "event_log.hpp"
#include "event_store.hpp"
#include "request_log.hpp"

namespace bib::host {

using ServiceNames = std::set<std::string, std::less<>>;

// What a checkpoint is written from, by reference (the parts are large).
struct CheckpointSource {
  std::uint64_t next_seq = 0;
  std::uint64_t lamport = 0;
  const EventStore& store;
  const EventLog& totals;
  const RequestLog& requests;
  const ServiceNames& services;
  const std::vector<std::pair<std::string, std::string>>& states;  // plugin name, its state
};

// A checkpoint read back. `states` views the payload it was read from.
struct CheckpointPayload {
  std::uint64_t next_seq = 0;
  std::uint64_t lamport = 0;
  EventStore store;
  EventLog totals;
  RequestLog requests;
  ServiceNames services;
  std::map<std::string, std::string_view> states;

  explicit CheckpointPayload(std::size_t remembered_requests) : requests(remembered_requests) {}
};

void write_checkpoint_payload(bib::StateWriter& out, const CheckpointSource& source);
// Throws (std::runtime_error from StateReader) on bytes write_checkpoint_payload did not write.
CheckpointPayload read_checkpoint_payload(std::string_view payload, std::size_t remembered_requests);

}  // namespace bib::host
