// The one place where a Write becomes a committed Event (DESIGN section 5).
//
// Today the pipeline is: build the event -> plugin.apply(event, local) -> reply.
// The full pipeline goes here and nowhere else:
//   apply -> persistence.append (flush per fsync policy, at_iteration_end) ->
//   replication.replicate(event, done) -> reply
// which is why the reply is a callback: once replication can answer later (quorum), done
// runs from a loop callback instead of before commit() returns. Callers must not assume
// either.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "bib/clock.hpp"
#include "bib/result.hpp"
#include "bib/service.hpp"

namespace bib::host {

class Committer {
 public:
  // The reply data for the client (apply()'s result), or the reason the write failed.
  using Done = std::function<void(bib::Result<bib::Value> reply_data)>;

  Committer(std::string node_name, bib::LamportClock& lamport, bib::PhysicalClock& clock)
      : node_name_(std::move(node_name)), lamport_(lamport), clock_(clock) {}

  void commit(bib::ServicePlugin& plugin, const bib::Request& request, bib::Write write, Done done);

  // The seq the next local event gets (events are numbered from 1, without gaps).
  std::uint64_t next_seq() const noexcept { return next_seq_; }

 private:
  std::string node_name_;
  bib::LamportClock& lamport_;
  bib::PhysicalClock& clock_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace bib::host
