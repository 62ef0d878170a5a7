#include "topic_board.hpp"

#include <tuple>
#include <utility>

#include <bib/state_bytes.hpp>

namespace topic {

bool Setting::newer_than(const Setting& other) const {
  return std::tie(timestamp, origin, seq) > std::tie(other.timestamp, other.origin, other.seq);
}

bool TopicBoard::apply(const std::string& channel, Setting setting) {
  auto [it, inserted] = topics_.try_emplace(channel, setting);
  if (inserted) return true;
  if (!setting.newer_than(it->second)) return false;
  it->second = std::move(setting);
  return true;
}

std::string TopicBoard::save() const {
  bib::StateWriter out;
  out.u64(topics_.size());
  for (const auto& [channel, s] : topics_) {
    out.str(channel);
    out.str(s.topic);
    out.str(s.user);
    out.f64(s.timestamp);
    out.str(s.origin);
    out.u64(s.seq);
  }
  return out.take();
}

TopicBoard TopicBoard::load(std::string_view bytes) {
  TopicBoard board;
  if (bytes.empty()) return board;
  bib::StateReader in(bytes);
  for (std::uint64_t n = in.count(6 * sizeof(std::uint64_t)); n > 0; --n) {
    std::string channel = in.str();
    Setting s;
    s.topic = in.str();
    s.user = in.str();
    s.timestamp = in.f64();
    s.origin = in.str();
    s.seq = in.u64();
    board.topics_.emplace(std::move(channel), std::move(s));
  }
  in.expect_end();
  return board;
}

const Setting* TopicBoard::find(std::string_view channel) const {
  auto it = topics_.find(channel);
  return it == topics_.end() ? nullptr : &it->second;
}

}  // namespace topic
