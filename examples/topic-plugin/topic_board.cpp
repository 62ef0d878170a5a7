#include "topic_board.hpp"

#include <tuple>
#include <utility>

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

const Setting* TopicBoard::find(std::string_view channel) const {
  auto it = topics_.find(channel);
  return it == topics_.end() ? nullptr : &it->second;
}

}  // namespace topic
