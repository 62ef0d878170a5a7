#include "event_loop.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace bib::host {

namespace {

const std::string kHostOwner = "host";

// A repeating timer of 0 ms would be due again at once and starve the sockets.
constexpr auto kMinRepeat = std::chrono::milliseconds(1);

}  // namespace

EventLoop::EventLoop(spdlog::logger& log) : log_(log) {
  wakeup_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeup_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

EventLoop::~EventLoop() { ::close(wakeup_fd_); }

// --- registration -------------------------------------------------------------------------

void EventLoop::add_socket(zmq::socket_t& socket, std::function<void()> on_readable) {
  add_socket_as(kHostOwner, socket, std::move(on_readable));
}

void EventLoop::add_socket_as(const std::string& owner, zmq::socket_t& socket, std::function<void()> fn) {
  add_watch(socket.handle(), -1, owner, std::move(fn));
}

void EventLoop::remove_socket(zmq::socket_t& socket) {
  void* handle = socket.handle();
  remove_watch_if([handle](const Watch& w) { return w.socket == handle; });
}

void EventLoop::add_fd(const std::string& owner, int fd, std::function<void()> on_readable) {
  add_watch(nullptr, fd, owner, std::move(on_readable));
}

void EventLoop::remove_fd(int fd) {
  remove_watch_if([fd](const Watch& w) { return w.socket == nullptr && w.fd == fd; });
}

void EventLoop::add_watch(void* socket, int fd, const std::string& owner, std::function<void()> fn) {
  // One callback per socket: registering again replaces the previous one.
  remove_watch_if([&](const Watch& w) { return socket ? w.socket == socket : (!w.socket && w.fd == fd); });
  watches_.push_back(Watch{next_watch_id_++, socket, fd, owner,
                           std::make_shared<std::function<void()>>(std::move(fn))});
}

void EventLoop::remove_watch_if(const std::function<bool(const Watch&)>& match) {
  // Erasing is safe during dispatch: run_ready_watches() works from a snapshot of ids and
  // holds its own reference to the callback it is running.
  std::erase_if(watches_, match);
}

TimerId EventLoop::add_timer(std::chrono::milliseconds after, std::function<void()> fn, bool repeat) {
  return add_timer_as(kHostOwner, after, std::move(fn), repeat);
}

TimerId EventLoop::add_timer_as(const std::string& owner, std::chrono::milliseconds after,
                                std::function<void()> fn, bool repeat) {
  if (after < std::chrono::milliseconds(0)) after = std::chrono::milliseconds(0);
  const TimerId id = next_timer_id_++;
  const auto deadline = Clock::now() + after;
  const Clock::duration interval = repeat ? std::max(after, std::chrono::milliseconds(kMinRepeat)) : after;
  timers_.emplace(id, Timer{deadline, interval, repeat, owner,
                            std::make_shared<std::function<void()>>(std::move(fn))});
  due_.push(Due{deadline, id});
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  // The heap entry stays behind and is skipped when it comes up.
  timers_.erase(id);
}

void EventLoop::post(std::function<void()> fn) { post_as(kHostOwner, std::move(fn)); }

void EventLoop::post_as(const std::string& owner, std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(Task{owner, std::move(fn)});
  }
  wake();
}

void EventLoop::at_iteration_end(std::function<void()> fn) { at_iteration_end_as(kHostOwner, std::move(fn)); }

void EventLoop::at_iteration_end_as(const std::string& owner, std::function<void()> fn) {
  iteration_end_.push_back(Task{owner, std::move(fn)});
}

std::size_t EventLoop::drop_owner(const std::string& owner) {
  std::size_t dropped = std::erase_if(watches_, [&](const Watch& w) { return w.owner == owner; });
  dropped += std::erase_if(timers_, [&](const auto& entry) { return entry.second.owner == owner; });
  dropped += std::erase_if(iteration_end_, [&](const Task& t) { return t.owner == owner; });
  std::lock_guard lock(posted_mutex_);
  dropped += std::erase_if(posted_, [&](const Task& t) { return t.owner == owner; });
  return dropped;
}

// --- running ------------------------------------------------------------------------------

void EventLoop::run() {
  while (!stop_.load()) run_once(std::chrono::milliseconds(-1));
}

void EventLoop::stop() {
  stop_.store(true);
  wake();
}

void EventLoop::run_once(std::chrono::milliseconds max_wait) {
  // Snapshot: the item list zmq_poll fills in, and the watch id behind each item.
  std::vector<zmq_pollitem_t> items;
  std::vector<std::uint64_t> ids;
  items.reserve(watches_.size() + 1);
  ids.reserve(watches_.size() + 1);
  items.push_back(zmq_pollitem_t{nullptr, wakeup_fd_, ZMQ_POLLIN, 0});
  ids.push_back(0);
  for (const Watch& w : watches_) {
    items.push_back(zmq_pollitem_t{w.socket, w.fd, ZMQ_POLLIN, 0});
    ids.push_back(w.id);
  }

  const long timeout = poll_timeout_ms(max_wait);
  const int rc = zmq_poll(items.data(), static_cast<int>(items.size()), timeout);
  if (rc < 0) {
    // EINTR: a signal arrived; nothing is ready. Anything else is a registration bug (a
    // socket closed while still registered): say so, and still run timers and posts.
    if (zmq_errno() != EINTR) log_.error("event loop: zmq_poll failed: {}", zmq_strerror(zmq_errno()));
    for (auto& item : items) item.revents = 0;
  }

  if (items[0].revents & ZMQ_POLLIN) drain_wakeup();
  run_ready_watches(items, ids);
  run_due_timers();
  run_posted();
  run_iteration_end();
}

long EventLoop::poll_timeout_ms(std::chrono::milliseconds max_wait) {
  if (stop_.load() || !iteration_end_.empty()) return 0;
  {
    std::lock_guard lock(posted_mutex_);
    if (!posted_.empty()) return 0;
  }
  // Drop cancelled or rescheduled entries so the top is the next real deadline.
  while (!due_.empty()) {
    const Due& top = due_.top();
    auto it = timers_.find(top.id);
    if (it != timers_.end() && it->second.deadline == top.deadline) break;
    due_.pop();
  }
  long timeout = max_wait.count() < 0 ? -1 : static_cast<long>(max_wait.count());
  if (!due_.empty()) {
    const auto left = due_.top().deadline - Clock::now();
    // Round up: waking a fraction of a millisecond early would spin until the deadline.
    const long ms = left <= Clock::duration::zero()
                        ? 0
                        : static_cast<long>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
    timeout = timeout < 0 ? ms : std::min(timeout, ms);
  }
  return timeout;
}

void EventLoop::run_ready_watches(const std::vector<zmq_pollitem_t>& items,
                                  const std::vector<std::uint64_t>& ids) {
  for (std::size_t i = 1; i < items.size(); ++i) {
    if (!(items[i].revents & ZMQ_POLLIN)) continue;
    // Still registered? An earlier callback of this iteration may have removed it.
    auto it = std::find_if(watches_.begin(), watches_.end(), [&](const Watch& w) { return w.id == ids[i]; });
    if (it == watches_.end()) continue;
    const Callback fn = it->fn;            // keeps the callable alive if it removes itself
    const std::string owner = it->owner;
    invoke(owner, *fn, "socket callback");
  }
}

void EventLoop::run_due_timers() {
  // Only what is due now: a timer added or rescheduled meanwhile waits for the next iteration.
  const auto now = Clock::now();
  while (!due_.empty() && due_.top().deadline <= now) {
    const Due due = due_.top();
    due_.pop();
    auto it = timers_.find(due.id);
    if (it == timers_.end() || it->second.deadline != due.deadline) continue;  // cancelled/stale
    const Callback fn = it->second.fn;
    const std::string owner = it->second.owner;
    if (it->second.repeat) {
      // Keep the cadence, but after a long stall fire once rather than catching up in a burst.
      Timer& t = it->second;
      t.deadline += t.interval;
      if (t.deadline <= now) t.deadline = now + t.interval;
      due_.push(Due{t.deadline, due.id});
    } else {
      timers_.erase(it);
    }
    invoke(owner, *fn, "timer");
  }
}

void EventLoop::run_posted() {
  std::vector<Task> batch;
  {
    std::lock_guard lock(posted_mutex_);
    batch.swap(posted_);
  }
  for (const Task& task : batch) invoke(task.owner, task.fn, "posted function");
}

void EventLoop::run_iteration_end() {
  // Callbacks registered by these callbacks run in the same pass.
  while (!iteration_end_.empty()) {
    std::vector<Task> batch;
    batch.swap(iteration_end_);
    for (const Task& task : batch) invoke(task.owner, task.fn, "iteration-end callback");
  }
}

void EventLoop::wake() {
  const std::uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop is woken anyway.
  [[maybe_unused]] const ssize_t n = ::write(wakeup_fd_, &one, sizeof one);
}

void EventLoop::drain_wakeup() {
  std::uint64_t count = 0;
  [[maybe_unused]] const ssize_t n = ::read(wakeup_fd_, &count, sizeof count);
}

void EventLoop::invoke(const std::string& owner, const std::function<void()>& fn, const char* what) noexcept {
  try {
    fn();
  } catch (const std::exception& e) {
    log_.error("{}: {} threw: {}", owner, what, e.what());
  } catch (...) {
    log_.error("{}: {} threw a non-standard exception", owner, what);
  }
}

}  // namespace bib::host
