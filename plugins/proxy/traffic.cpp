#include "traffic.hpp"

#include <algorithm>
#include <cstdio>

#include "bib/codec.hpp"
#include "bib/refusal_log.hpp"

namespace bib::proxy {

namespace {
constexpr std::size_t kMaxTopicShown = 64;
}

std::string TrafficCounts::to_string() const {
  return std::to_string(subscriptions) + " subscriptions, " + std::to_string(unsubscriptions) +
         " unsubscriptions, " + std::to_string(messages) + " messages, " + std::to_string(bytes) + " bytes";
}

std::optional<Subscription> parse_subscription(std::string_view frame) {
  if (frame.empty()) return std::nullopt;
  if (frame[0] != '\x00' && frame[0] != '\x01') return std::nullopt;
  return Subscription{frame[0] == '\x01', std::string(frame.substr(1))};
}

std::string printable_topic(std::string_view topic) { return RefusalLog::printable(topic, kMaxTopicShown); }

bool looks_like_publication(const std::vector<std::string_view>& frames) {
  if (frames.size() != 2 || frames[1].empty()) return false;
  const auto first = static_cast<unsigned char>(frames[1][0]);
  return (first >= 0x80 && first <= 0x8f) || first == 0xde || first == 0xdf;  // fixmap, map 16, map 32
}

std::optional<std::string> describe_publication(const std::vector<std::string_view>& frames) {
  if (frames.size() != 2) return std::nullopt;
  auto envelope = decode_envelope(frames[1]);
  if (!envelope) return std::nullopt;
  return "'" + printable_topic(frames[0]) + "' " + envelope.value().to_string();
}

std::string describe_message(const std::vector<std::string_view>& frames) {
  if (frames.empty()) return "(empty message)";
  if (auto line = describe_publication(frames)) return *line;
  std::string line = "'" + printable_topic(frames[0]) + "'";
  std::size_t bytes = 0;
  for (std::size_t i = 1; i < frames.size(); ++i) bytes += frames[i].size();
  return line + " (" + std::to_string(frames.size()) + " frames, " + std::to_string(bytes) +
         " payload bytes, not a [topic][envelope] message)";
}

}  // namespace bib::proxy
