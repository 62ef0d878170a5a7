// The host's event loop: one thread, zmq_poll over the registered sockets and file
// descriptors, a min-heap of timers, a thread-safe post() queue woken through an eventfd.
//
// Every registration may be made or undone from inside a callback: sockets are polled from a
// snapshot taken at the top of each iteration and an entry removed meanwhile is skipped;
// timers are looked up by id when due, so a cancelled one simply never fires.
// Each callback carries an owner (a plugin name, or "host") so that an exception it throws
// is logged with that name; the loop then goes on.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include <zmq.hpp>

#include "bib/event_loop.hpp"
#include "bib/logger.hpp"

namespace bib::host {

class EventLoop final : public bib::EventLoop {
 public:
  using Clock = std::chrono::steady_clock;

  explicit EventLoop(spdlog::logger& log);
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // bib::EventLoop, with owner "host".
  void add_socket(zmq::socket_t& socket, std::function<void()> on_readable) override;
  void remove_socket(zmq::socket_t& socket) override;
  TimerId add_timer(std::chrono::milliseconds after, std::function<void()> fn,
                    bool repeat = false) override;
  void cancel_timer(TimerId id) override;
  void post(std::function<void()> fn) override;
  void at_iteration_end(std::function<void()> fn) override;

  // The same, naming who registered the callback (for the log line when it throws).
  void add_socket_as(const std::string& owner, zmq::socket_t& socket, std::function<void()> fn);
  TimerId add_timer_as(const std::string& owner, std::chrono::milliseconds after,
                       std::function<void()> fn, bool repeat);
  void post_as(const std::string& owner, std::function<void()> fn);
  void at_iteration_end_as(const std::string& owner, std::function<void()> fn);

  // Drops every socket, timer, posted and iteration-end callback registered by owner.
  // The host calls it before unloading a plugin: a callback's code lives in the plugin's
  // library, so even destroying it afterwards would jump into unmapped memory.
  // Returns how many were dropped.
  std::size_t drop_owner(const std::string& owner);

  // A plain file descriptor (signalfd, ...), called when readable. Host use only.
  void add_fd(const std::string& owner, int fd, std::function<void()> on_readable);
  void remove_fd(int fd);

  // Runs iterations until stop() is called. Returns at once if stop() came first.
  void run();
  // One iteration: wait for readiness (at most max_wait, less if a timer is due sooner or
  // work is pending), run the ready handlers, the due timers, the posted functions, then the
  // at_iteration_end callbacks. For tests and for run().
  void run_once(std::chrono::milliseconds max_wait);
  // Makes run() return after the current iteration. Safe from any thread.
  void stop();
  bool stop_requested() const noexcept { return stop_.load(); }
  // Forgets a previous stop() so that run() can be called again.
  void reset_stop() noexcept { stop_.store(false); }

 private:
  using Callback = std::shared_ptr<std::function<void()>>;

  struct Watch {
    std::uint64_t id;      // distinguishes a re-added socket from the removed one
    void* socket;          // zmq socket handle, or nullptr for an fd
    int fd;
    std::string owner;
    Callback fn;
  };
  struct Timer {
    Clock::time_point deadline;
    Clock::duration interval;
    bool repeat;
    std::string owner;
    Callback fn;
  };
  struct Due {
    Clock::time_point deadline;
    TimerId id;
    // Earliest deadline first; equal deadlines in the order the timers were added.
    bool operator>(const Due& o) const { return deadline != o.deadline ? deadline > o.deadline : id > o.id; }
  };
  struct Task {
    std::string owner;
    std::function<void()> fn;
  };

  void add_watch(void* socket, int fd, const std::string& owner, std::function<void()> fn);
  void remove_watch_if(const std::function<bool(const Watch&)>& match);
  long poll_timeout_ms(std::chrono::milliseconds max_wait);
  void run_ready_watches(const std::vector<zmq_pollitem_t>& items, const std::vector<std::uint64_t>& ids);
  void run_due_timers();
  void run_posted();
  void run_iteration_end();
  void drain_wakeup();
  void wake();
  void invoke(const std::string& owner, const std::function<void()>& fn, const char* what) noexcept;

  spdlog::logger& log_;
  int wakeup_fd_ = -1;  // eventfd: post() and stop() from other threads
  std::atomic<bool> stop_{false};

  std::vector<Watch> watches_;
  std::uint64_t next_watch_id_ = 1;

  std::unordered_map<TimerId, Timer> timers_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
  TimerId next_timer_id_ = 1;

  std::mutex posted_mutex_;
  std::vector<Task> posted_;

  std::vector<Task> iteration_end_;
};

// What one plugin sees as Context::loop(): the host's loop, with every callback tagged with
// the plugin's name.
class PluginLoop final : public bib::EventLoop {
 public:
  // host::EventLoop: inside this class, plain EventLoop names the base, bib::EventLoop.
  PluginLoop(host::EventLoop& loop, std::string owner) : loop_(loop), owner_(std::move(owner)) {}

  void add_socket(zmq::socket_t& socket, std::function<void()> on_readable) override {
    loop_.add_socket_as(owner_, socket, std::move(on_readable));
  }
  void remove_socket(zmq::socket_t& socket) override { loop_.remove_socket(socket); }
  TimerId add_timer(std::chrono::milliseconds after, std::function<void()> fn, bool repeat = false) override {
    return loop_.add_timer_as(owner_, after, std::move(fn), repeat);
  }
  void cancel_timer(TimerId id) override { loop_.cancel_timer(id); }
  void post(std::function<void()> fn) override { loop_.post_as(owner_, std::move(fn)); }
  void at_iteration_end(std::function<void()> fn) override {
    loop_.at_iteration_end_as(owner_, std::move(fn));
  }

  // Whatever the plugin left registered; see EventLoop::drop_owner.
  std::size_t drop_all() { return loop_.drop_owner(owner_); }

 private:
  host::EventLoop& loop_;
  std::string owner_;
};

}  // namespace bib::host
