#include "commit.hpp"

namespace bib::host {

void Committer::commit(bib::ServicePlugin& plugin, const bib::Request& request, bib::Write write, Done done) {
  bib::Event event;
  event.origin = node_name_;
  event.seq = next_seq_;
  event.clock = lamport_.tick();
  event.timestamp = clock_.now();
  event.service = request.service;
  event.data = std::move(write.data);
  if (const bib::Value* id = request.data.find("request_id"); id && id->is_string())
    event.request_id = id->as_string();

  bib::Value reply;
  try {
    reply = plugin.apply(event, bib::ApplyMode::local);
  } catch (const std::exception& e) {
    // Not applied, so not committed: the seq stays free and the sequence keeps no gaps.
    done(bib::Error{e.what()});
    return;
  }
  ++next_seq_;
  done(std::move(reply));
}

}  // namespace bib::host
