#include "channel_service.hpp"

#include <tuple>

#include "bib/messaging.hpp"
#include "bib/reply.hpp"
#include "bib/state_bytes.hpp"

namespace bib::channel {

bool Creation::earlier_than(const Creation& other) const {
  return std::tie(timestamp, origin, seq) < std::tie(other.timestamp, other.origin, other.seq);
}

void ChannelService::configure(Context& ctx) { ctx_ = &ctx; }

Outcome ChannelService::handle(const Request& request) {
  try {
    if (request.service == "channels") return Reply{channels()};
    return create(request.data);
  } catch (const FieldError& e) {
    // A missing or mistyped field: this service's own error shape.
    return Reply{error_reply(e.what())};
  }
}

Outcome ChannelService::create(const Value& data) const {
  const std::string& channel = data.get_string("channel");
  if (auto problem = topic_name_problem(channel)) return Reply{error_reply(*problem)};
  if (contains(channel)) return Reply{error_reply("channel '" + channel + "' already exists")};
  return Write{Map{{"channel", channel}}};
}

Value ChannelService::channels() const {
  Array names;
  names.reserve(channels_.size());
  for (const auto& [name, created] : channels_) names.emplace_back(name);
  return Map{{"channels", std::move(names)}};
}

// Never rejects: a concurrent creation elsewhere of a name this replica already holds is the
// same channel; only which creation is recorded may change.
Value ChannelService::apply(const Event& event, ApplyMode) {
  const Value* field = event.data.find("channel");
  if (field == nullptr || !field->is_string()) {
    // Only a bug or a foreign version gets here; every replica skips it alike.
    ctx_->log().warn("channel event {}:{} has no channel, skipped: {}", event.origin, event.seq, event.data.to_string());
    return error_reply("channel event without a channel");
  }
  Creation created{event.timestamp, event.origin, event.seq, event.clock};
  auto [it, inserted] = channels_.try_emplace(field->as_string(), created);
  if (!inserted && created.earlier_than(it->second)) it->second = std::move(created);
  return Map{{"status", "sucesso"}};
}

std::optional<std::string> ChannelService::save_state() const {
  StateWriter out;
  out.u64(channels_.size());
  for (const auto& [name, created] : channels_) {
    out.str(name);
    out.f64(created.timestamp);
    out.str(created.origin);
    out.u64(created.seq);
    out.u64(created.clock);
  }
  return out.take();
}

void ChannelService::restore_state(std::string_view bytes) {
  std::map<std::string, Creation, std::less<>> channels;
  StateReader in(bytes);
  if (!bytes.empty()) {
    for (std::uint64_t n = in.count(5 * sizeof(std::uint64_t)); n > 0; --n) {
      std::string name = in.str();
      Creation created;
      created.timestamp = in.f64();
      created.origin = in.str();
      created.seq = in.u64();
      created.clock = in.u64();
      channels.emplace(std::move(name), std::move(created));
    }
    in.expect_end();
  }
  channels_.swap(channels);
}

const Creation* ChannelService::creation(std::string_view channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? nullptr : &it->second;
}

void ChannelService::describe(Map& status) const { status.insert_or_assign("channels", channels_.size()); }

}  // namespace bib::channel
