// Anti-entropy, the answering side (docs/replication.md): given a peer's `sync` (its version
// vector and paging cursor), the events this server holds beyond it, one page at a time.
//
//   request  {vv: {"server-1": 10}, after: {}}          this server holds server-1#1..300
//   reply    events server-1#11..#266 (batch 256), more: true
//   request  {vv: {"server-1": 266}, after: {...}}      ... and so on until more: false
//
// For every origin this server knows, it sends the events after max(vv[origin],
// after[origin]); `after` lets the requester page past a gap of its own that this server
// cannot fill (its vv would not move, the same page would come back forever).
#pragma once

#include <cstddef>

#include "bib/replica.hpp"
#include "replication_messages.hpp"

namespace bib::replication {

struct PageLimits {
  std::size_t events = 256;
  std::size_t bytes = 1 << 20;  // encoded events per page (at least one event per page)
};

SyncReplyMessage answer_sync(const Replica& replica, const SyncMessage& request, PageLimits limits);

}  // namespace bib::replication
