// Helpers shared by the persistence suites (tests/persistence's contract suite and each
// persistence plugin's own): sample events of every service, replay into a vector, file bytes,
// crash images of a data directory, log capture.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include "bib/logger.hpp"
#include "bib/persistence.hpp"
#include "bib/service.hpp"
#include "support/fake_context.hpp"

namespace bib::test {

// n events cycling through login, channel, publish, message and a service with no file of
// its own ("poll"), with Lamport clocks increasing in append order. Some carry request ids,
// extra data fields or text that needs escaping.
inline std::vector<Event> sample_events(std::size_t n, const std::string& origin = "server-1",
                                        std::uint64_t first_seq = 1, std::uint64_t first_clock = 1) {
  std::vector<Event> out;
  for (std::size_t i = 0; i < n; ++i) {
    Event e;
    e.origin = origin;
    e.seq = first_seq + i;
    e.clock = first_clock + 2 * i;
    e.timestamp = 1732780000.125 + static_cast<double>(i) / 7.0;
    e.request_id = i % 2 == 0 ? "req-" + origin + "-" + std::to_string(i) : "";
    const std::string num = std::to_string(i);
    switch (i % 5) {
      case 0: e.service = "login"; e.data = Map{{"user", "user" + num}}; break;
      case 1: e.service = "channel"; e.data = Map{{"channel", "chan" + num}}; break;
      case 2:
        e.service = "publish";
        e.data = Map{{"user", "ana"}, {"channel", "geral"}, {"message", "olá \"mundo\"\n\tlinha " + num}};
        if (i % 3 == 0) e.data["after"] = Map{{"server-2", 4}};  // more than the original fields
        break;
      case 3: e.service = "message"; e.data = Map{{"src", "ana"}, {"dst", "bia"}, {"message", "oi " + num}}; break;
      default:
        e.service = "poll";
        e.data = Map{{"question", "q" + num}, {"options", Array{"a", "b"}}, {"open", true}, {"weight", 0.5}};
    }
    out.push_back(std::move(e));
  }
  return out;
}

inline std::vector<Event> replay_all(PersistencePlugin& plugin) {
  std::vector<Event> out;
  plugin.replay([&](const Event& e) { out.push_back(e); });
  return out;
}

// One persistence plugin object with its context, as the host holds them: the plugin is
// declared last, so it is destroyed first.
template <class Plugin>
struct PersistenceInstance {
  std::unique_ptr<FakeContext> ctx;
  std::unique_ptr<Plugin> plugin;
};

// A plugin configured on dir with options, not yet replayed.
template <class Plugin>
PersistenceInstance<Plugin> configured_persistence(const std::string& dir, Map options = {}) {
  options.insert_or_assign("dir", dir);
  PersistenceInstance<Plugin> i{std::make_unique<FakeContext>(Value(std::move(options))), std::make_unique<Plugin>()};
  i.plugin->configure(*i.ctx);
  return i;
}

inline void append_all(PersistencePlugin& plugin, const std::vector<Event>& events) {
  for (const Event& e : events) plugin.append(e);
}

// Compares whole events, field by field (the data maps included).
inline void expect_same_events(const std::vector<Event>& expected, const std::vector<Event>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(to_value(expected[i]), to_value(actual[i])) << "event " << i;
}

template <class T>
std::vector<T> concat(std::vector<T> a, const std::vector<T>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void write_bytes(const std::string& path, const std::string& bytes, bool append = false) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << bytes;
}

// Every regular file of a directory by name, with its bytes.
inline std::map<std::string, std::string> directory_bytes(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file()) out[entry.path().filename().string()] = read_bytes(entry.path().string());
  return out;
}

// What the disk holds right now, as a crash would leave it: a copy of the directory.
inline std::string crash_image(const std::string& dir, const std::string& to) {
  std::filesystem::remove_all(to);
  std::filesystem::copy(dir, to);
  return to;
}

// Collects the lines a logger writes from now on.
class LogCapture {
 public:
  explicit LogCapture(spdlog::logger& log) : log_(log), sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)) {
    log_.sinks().push_back(sink_);
  }
  ~LogCapture() { std::erase(log_.sinks(), sink_); }
  std::string text() const { return text_.str(); }

 private:
  spdlog::logger& log_;
  std::ostringstream text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

}  // namespace bib::test
