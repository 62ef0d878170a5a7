#include "traffic.hpp"

#include <algorithm>
#include <cstdio>

#include "bib/codec.hpp"

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

std::string printable_topic(std::string_view topic) {
  std::string shown;
  const std::size_t n = std::min(topic.size(), kMaxTopicShown);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(topic[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      shown += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      shown += hex;
    }
  }
  if (topic.size() > n) shown += "...";
  return shown;
}

std::string describe_message(const std::vector<std::string_view>& frames) {
  if (frames.empty()) return "(empty message)";
  std::string line = "'" + printable_topic(frames[0]) + "'";
  if (frames.size() == 2) {
    auto envelope = decode_envelope(frames[1]);
    if (envelope) return line + " " + envelope.value().to_string();
  }
  std::size_t bytes = 0;
  for (std::size_t i = 1; i < frames.size(); ++i) bytes += frames[i].size();
  return line + " (" + std::to_string(frames.size()) + " frames, " + std::to_string(bytes) +
         " payload bytes, not a [topic][envelope] message)";
}

}  // namespace bib::proxy
