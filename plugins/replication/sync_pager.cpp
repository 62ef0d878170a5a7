#include "sync_pager.hpp"

#include <algorithm>

namespace bib::replication {

SyncReplyMessage answer_sync(const Replica& replica, const SyncMessage& request, PageLimits limits) {
  SyncReplyMessage reply;
  reply.from = replica.node_name();
  reply.vv = replica.version_vector();
  std::size_t bytes = 0;
  bool full = false;
  for (const auto& [origin, contiguous] : reply.vv) {
    (void)contiguous;
    const std::uint64_t start = std::max(seq_in(request.vv, origin), seq_in(request.after, origin));
    if (replica.highest(origin) <= start) continue;
    if (full) {  // this origin has events the page had no room for
      reply.more = true;
      break;
    }
    std::uint64_t last = start;
    for (const Event& event : replica.events_after(origin, start, limits.events - reply.events.size())) {
      Value value = to_value(event);
      const std::size_t size = encoded_size(value);
      if (!reply.events.empty() && bytes + size > limits.bytes) {
        full = true;
        break;
      }
      bytes += size;
      last = event.seq;
      reply.events.push_back(std::move(value));
    }
    if (reply.events.size() >= limits.events) full = true;
    if (full && replica.highest(origin) > last) {
      reply.more = true;
      break;
    }
  }
  return reply;
}

}  // namespace bib::replication
