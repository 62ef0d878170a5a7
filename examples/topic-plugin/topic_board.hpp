// The channel topics one server holds, as every replica agrees on them: the newest setting
// wins, by (timestamp, origin, seq), whatever order the events arrive in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace topic {

struct Setting {
  std::string topic;
  std::string user;        // who set it ("" when the request named nobody)
  double timestamp = 0;    // the origin's clock when it was set
  std::string origin;      // the server that accepted it
  std::uint64_t seq = 0;   // its sequence number there

  bool newer_than(const Setting& other) const;
};

class TopicBoard {
 public:
  // Records the setting unless the channel already has a newer one. True when it is now current.
  bool apply(const std::string& channel, Setting setting);
  // The channel's current setting, or nullptr when none was ever set.
  const Setting* find(std::string_view channel) const;
  std::size_t size() const { return topics_.size(); }

  // The board as bytes for the host's checkpoint (ServicePlugin::save_state), and back;
  // load() throws std::runtime_error on bytes save() did not write.
  std::string save() const;
  static TopicBoard load(std::string_view bytes);

 private:
  std::map<std::string, Setting, std::less<>> topics_;
};

}  // namespace topic
