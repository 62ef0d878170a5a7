// message: private messages between users, and each user's inbox (docs/protocol.md, docs/architecture.md).
//   {"service": "message", "data": {"src": "ana", "dst": "bia", "message": "oi"}}
//       -> {"status": "OK"}
//       -> {"status": "erro", "message": "unknown user 'bia'"}
//   and on topic "bia":
//       [bia][{"service": "message", "data": {"src": "ana", "dst": "bia", "message": "oi",
//                                             "timestamp": 1714.2, "clock": 7}}]
//   {"service": "inbox", "data": {"user": "bia", "limit": 50, "before": 7}}
//       -> {"messages": [{"src", "dst", "message", "timestamp", "clock", "origin", "seq"}, ...],
//           "next": "5:server-2:9"}
// The inbox holds the messages the user sent and received, paged like a channel's history.
// Users are looked up in the plugin named by option `users` (default "login"); a message is
// at most `max_message_bytes` (default 4096).
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

namespace bib::message {

class MessageService final : public ServicePlugin {
 public:
  void configure(Context& ctx) override;
  std::vector<std::string> services() const override { return {"message", "inbox"}; }
  Outcome handle(const Request& request) override;
  Value apply(const Event& event, ApplyMode mode) override;
  void start() override;
  void stop() override { sweep_.reset(); }
  void describe(Map& status) const override;
  std::optional<std::string> save_state() const override { return save_named_logs(inboxes_, message_count_); }
  void restore_state(std::string_view bytes) override { std::tie(inboxes_, message_count_) = load_named_logs(bytes); }

 private:
  Outcome send(const Value& data) const;
  Value inbox(const Value& data) const;

  Context* ctx_ = nullptr;
  RetentionRules retention_;  // docs/services.md, "Retention"
  Timer sweep_;              // gives back the memory of what retention dropped
  const NameDirectory* users_ = nullptr;
  std::size_t max_message_bytes_ = kDefaultMaxTextBytes;
  OrderedLog::Loader load_message_;                          // a page's messages, from the store
  NamedLogs inboxes_;  // by user; a message sits in both ends'
  std::size_t message_count_ = 0;
};

}  // namespace bib::message
