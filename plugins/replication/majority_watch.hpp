// Whether this server can reach a majority of the cluster (docs/replication.md, "partitions").
// replication-quorum confirms a write only once floor(N/2)+1 servers hold it; a server cut off
// from its peers would take its share of the broker's requests and fail each write after the
// quorum timeout. MajorityWatch tells the host when that is so, and the host pauses the
// server's broker worker until a majority is in reach again.
//
// A peer counts as reachable while it was heard (any request or answer of it) within `window`;
// a peer that appears gets the benefit of the doubt for one window. The verdict is taken every
// quarter window and reported only when it changes.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>

#include "bib/event_loop.hpp"

namespace bib::replication {

class MajorityWatch {
 public:
  using Clock = std::chrono::steady_clock;
  using Notify = std::function<void(bool available, const std::string& why)>;

  // cluster_size() is asked at each verdict (N may grow as discovery shows more servers).
  MajorityWatch(EventLoop& loop, std::chrono::milliseconds window, std::function<std::size_t()> cluster_size);

  void start();  // verdicts every window / 4
  void stop();

  void add_peer(const std::string& name, Clock::time_point now = Clock::now());
  void remove_peer(const std::string& name);
  void heard_from(const std::string& name, Clock::time_point now = Clock::now());

  // fn hears every change of the verdict from now on; an unavailable verdict at once.
  void on_change(Notify fn);
  // Takes the verdict now; notifies on a change.
  void check(Clock::time_point now = Clock::now());

  bool available() const { return available_; }
  std::size_t reachable() const { return reachable_; }
  std::chrono::milliseconds window() const { return window_; }
  // "1 of 3 servers reachable (this one included), 2 needed"
  std::string summary() const;

 private:
  EventLoop& loop_;
  std::chrono::milliseconds window_;
  std::function<std::size_t()> cluster_size_;
  std::map<std::string, Clock::time_point> last_heard_;
  Timer timer_;
  Notify notify_;
  bool available_ = true;
  std::size_t reachable_ = 1;
};

}  // namespace bib::replication
