// publish: posts in channels, and their history (docs/protocol.md, docs/architecture.md).
//   {"service": "publish", "data": {"user": "ana", "channel": "geral", "message": "oi"}}
//       -> {"status": "OK"}
//       -> {"status": "erro", "message": "unknown channel 'geral'"}
//   and on topic "geral":
//       [geral][{"service": "publish", "data": {"user": "ana", "channel": "geral", "message": "oi",
//                                               "timestamp": 1714.2, "clock": 7}}]
//   {"service": "history", "data": {"channel": "geral", "limit": 50, "before": "7:server-1:3"}}
//       -> {"posts": [{"user", "channel", "message", "timestamp", "clock", "origin", "seq"}, ...],
//           "next": "5:server-2:9"}
// Users and channels are looked up in the plugins named by options `users` (default "login")
// and `channels` (default "channel"); a post is at most `max_message_bytes` (default 4096).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>
#include <string>
#include <vector>

#include "bib/event_loop.hpp"
#include "bib/messaging.hpp"
#include "bib/ordered_log.hpp"
#include "bib/retention.hpp"
#include "bib/sdk.hpp"

namespace bib::publish {

class PublishService final : public ServicePlugin {
 public:
  void configure(Context& ctx) override;
  std::vector<std::string> services() const override { return {"publish", "history"}; }
  Outcome handle(const Request& request) override;
  Value apply(const Event& event, ApplyMode mode) override;
  void start() override;
  void stop() override { sweep_.reset(); }
  void describe(Map& status) const override;
  std::optional<std::string> save_state() const override { return save_named_logs(posts_, post_count_); }
  void restore_state(std::string_view bytes) override { std::tie(posts_, post_count_) = load_named_logs(bytes); }

 private:
  Outcome publish(const Value& data) const;
  Value history(const Value& data) const;

  Context* ctx_ = nullptr;
  RetentionRules retention_;  // docs/services.md, "Retention"
  Timer sweep_;              // gives back the memory of what retention dropped
  const NameDirectory* users_ = nullptr;
  const NameDirectory* channels_ = nullptr;
  std::size_t max_message_bytes_ = kDefaultMaxTextBytes;
  OrderedLog::Loader load_post_;                          // a page's posts, from the store
  NamedLogs posts_;  // by channel: positions only
  std::size_t post_count_ = 0;
};

}  // namespace bib::publish
