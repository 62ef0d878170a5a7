// channel: the channels posts go to (docs/protocol.md). Owns the channels directory that
// publish consults.
//   {"service": "channel", "data": {"channel": "geral"}}  ->  {"status": "sucesso"}
//   again                                                 ->  {"status": "erro", "description": "channel 'geral' already exists"}
//   {"service": "channels", "data": {}}                   ->  {"channels": ["geral"]}
// Channels are a grow-only set. Two servers may accept the same name concurrently: both
// events apply without error everywhere, the channel exists once, and its recorded creation
// is the earliest by (timestamp, origin), so every replica keeps the same one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bib/sdk.hpp"

namespace bib::channel {

// The event that created a channel.
struct Creation {
  double timestamp = 0;
  std::string origin;
  std::uint64_t seq = 0;
  std::uint64_t clock = 0;

  // Earliest wins: (timestamp, origin), then seq so that the order is total.
  bool earlier_than(const Creation& other) const;
};

class ChannelService final : public ServicePlugin, public NameDirectory {
 public:
  void configure(Context& ctx) override;
  std::vector<std::string> services() const override { return {"channel", "channels"}; }
  Outcome handle(const Request& request) override;
  Value apply(const Event& event, ApplyMode mode) override;
  std::optional<std::string> save_state() const override;
  void restore_state(std::string_view bytes) override;
  void describe(Map& status) const override;

  bool contains(std::string_view channel) const override { return channels_.contains(channel); }
  // The creation every replica agrees on, or nullptr for an unknown channel.
  const Creation* creation(std::string_view channel) const;

 private:
  Outcome create(const Value& data) const;
  Value channels() const;

  Context* ctx_ = nullptr;
  std::map<std::string, Creation, std::less<>> channels_;
};

}  // namespace bib::channel
