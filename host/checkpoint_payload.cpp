#include "checkpoint_payload.hpp"

namespace bib::host {

void write_checkpoint_payload(bib::StateWriter& out, const CheckpointSource& source) {
  out.u64(source.next_seq);
  out.u64(source.lamport);
  source.store.save(out);
  source.totals.save(out);
  source.requests.save(out);
  out.u64(source.services.size());
  for (const std::string& service : source.services) out.str(service);
  out.u64(source.states.size());
  for (const auto& [name, state] : source.states) {
    out.str(name);
    out.str(state);
  }
}

CheckpointPayload read_checkpoint_payload(std::string_view payload, std::size_t remembered_requests) {
  CheckpointPayload read(remembered_requests);
  bib::StateReader in(payload);
  read.next_seq = in.u64();
  read.lamport = in.u64();
  read.store.load(in);
  read.totals.load(in);
  read.requests.load(in);
  for (std::uint64_t n = in.count(sizeof(std::uint64_t)); n > 0; --n) read.services.insert(in.str());
  for (std::uint64_t n = in.count(2 * sizeof(std::uint64_t)); n > 0; --n) {
    std::string name = in.str();
    read.states.emplace(std::move(name), in.view());
  }
  in.expect_end();
  return read;
}

}  // namespace bib::host
