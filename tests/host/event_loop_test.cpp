// The host's event loop, in-process: timers, sockets, post(), at_iteration_end, and that a
// throwing callback is logged and does not stop the loop.
#include "event_loop.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using bib::host::EventLoop;

namespace {

class EventLoopTest : public ::testing::Test {
 protected:
  EventLoopTest()
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_st>(log_text_)),
        logger_("loop-test", sink_),
        loop_(logger_) {
    // A test that would hang fails instead: the loop stops after 10 s whatever happens.
    loop_.add_timer(10s, [this] { timed_out_ = true; loop_.stop(); });
  }
  ~EventLoopTest() override { EXPECT_FALSE(timed_out_) << "the loop had to be stopped by the guard timer"; }

  std::ostringstream log_text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_st> sink_;
  spdlog::logger logger_;
  EventLoop loop_;
  bool timed_out_ = false;
};

TEST_F(EventLoopTest, TimersFireInDeadlineOrder) {
  std::vector<int> fired;
  loop_.add_timer(30ms, [&] { fired.push_back(30); loop_.stop(); });
  loop_.add_timer(10ms, [&] { fired.push_back(10); });
  loop_.add_timer(20ms, [&] { fired.push_back(20); });
  loop_.add_timer(10ms, [&] { fired.push_back(11); });  // same delay: after the first one added
  loop_.run();
  EXPECT_EQ(fired, (std::vector<int>{10, 11, 20, 30}));
}

TEST_F(EventLoopTest, RepeatingTimerRepeatsUntilCancelledFromItsOwnCallback) {
  int ticks = 0;
  bib::TimerId id = 0;
  id = loop_.add_timer(2ms, [&] {
    if (++ticks < 3) return;
    loop_.cancel_timer(id);
    // Room for a few more ticks, had the cancel not worked; set from here so that a stalled
    // test machine cannot fire it before the third tick.
    loop_.add_timer(20ms, [&] { loop_.stop(); });
  }, true);
  loop_.run();
  EXPECT_EQ(ticks, 3);
}

TEST_F(EventLoopTest, OneShotTimerMayCancelItselfHarmlessly) {
  int fired = 0;
  bib::TimerId id = 0;
  id = loop_.add_timer(1ms, [&] {
    ++fired;
    loop_.cancel_timer(id);
    loop_.stop();
  });
  loop_.run();
  EXPECT_EQ(fired, 1);
}

TEST_F(EventLoopTest, CancelledTimerNeverFires) {
  bool fired = false;
  const bib::TimerId id = loop_.add_timer(5ms, [&] { fired = true; });
  loop_.add_timer(1ms, [&] { loop_.cancel_timer(id); });  // cancelled by another callback
  loop_.add_timer(30ms, [&] { loop_.stop(); });
  loop_.run();
  EXPECT_FALSE(fired);
}

TEST_F(EventLoopTest, WaitsForTheNextTimerWithoutSpinning) {
  bool fired = false;
  loop_.add_timer(50ms, [&] { fired = true; });
  const auto start = std::chrono::steady_clock::now();
  int iterations = 0;
  while (!fired) {
    loop_.run_once(-1ms);
    ++iterations;
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_LE(iterations, 3) << "the loop woke up repeatedly before the timer was due";
}

TEST_F(EventLoopTest, IdleIterationBlocksForMaxWait) {
  const auto start = std::chrono::steady_clock::now();
  loop_.run_once(40ms);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 39ms);
}

TEST_F(EventLoopTest, PostFromAnotherThreadWakesTheLoop) {
  std::atomic<bool> ran_on_loop{false};
  const auto loop_thread = std::this_thread::get_id();
  std::thread other([&] {
    loop_.post([&] {
      ran_on_loop = std::this_thread::get_id() == loop_thread;
      loop_.stop();
    });
  });
  loop_.run();  // no timer but the 10 s guard: only the post can end this early
  other.join();
  EXPECT_TRUE(ran_on_loop);
}

TEST_F(EventLoopTest, StopFromAnotherThread) {
  std::thread other([&] { loop_.stop(); });
  loop_.run();
  other.join();
  EXPECT_TRUE(loop_.stop_requested());
}

TEST_F(EventLoopTest, SocketCallbackRunsWhenReadable) {
  zmq::context_t zmq;
  zmq::socket_t in(zmq, zmq::socket_type::pair), out(zmq, zmq::socket_type::pair);
  in.bind("inproc://loop-test");
  out.connect("inproc://loop-test");
  std::string got;
  loop_.add_socket(in, [&] {
    zmq::message_t msg;
    ASSERT_TRUE(in.recv(msg, zmq::recv_flags::dontwait));
    got = msg.to_string();
    loop_.stop();
  });
  out.send(zmq::str_buffer("hello"));
  loop_.run();
  EXPECT_EQ(got, "hello");
  loop_.remove_socket(in);
}

TEST_F(EventLoopTest, SocketCanBeRemovedFromItsOwnCallback) {
  zmq::context_t zmq;
  zmq::socket_t in(zmq, zmq::socket_type::pair), out(zmq, zmq::socket_type::pair);
  in.bind("inproc://loop-remove");
  out.connect("inproc://loop-remove");
  int calls = 0;
  loop_.add_socket(in, [&] {
    ++calls;
    loop_.remove_socket(in);  // the message stays unread: a registered socket would fire again
  });
  out.send(zmq::str_buffer("one"));
  loop_.add_timer(50ms, [&] { loop_.stop(); });
  loop_.run();
  EXPECT_EQ(calls, 1);
}

TEST_F(EventLoopTest, SocketAddedFromACallbackIsPolledNextIteration) {
  zmq::context_t zmq;
  zmq::socket_t in(zmq, zmq::socket_type::pair), out(zmq, zmq::socket_type::pair);
  in.bind("inproc://loop-add");
  out.connect("inproc://loop-add");
  std::string got;
  loop_.post([&] {
    loop_.add_socket(in, [&] {
      zmq::message_t msg;
      (void)in.recv(msg, zmq::recv_flags::dontwait);
      got = msg.to_string();
      loop_.remove_socket(in);
      loop_.stop();
    });
    out.send(zmq::str_buffer("late"));
  });
  loop_.run();
  EXPECT_EQ(got, "late");
}

TEST_F(EventLoopTest, ThrowingCallbackIsLoggedAndTheLoopGoesOn) {
  bool later_ran = false;
  loop_.add_timer_as("fixture-plugin", 1ms, [] { throw std::runtime_error("kaboom"); }, false);
  loop_.post([] { throw std::logic_error("posted kaboom"); });
  loop_.add_timer(10ms, [&] {
    later_ran = true;
    loop_.stop();
  });
  loop_.run();
  EXPECT_TRUE(later_ran);
  EXPECT_NE(log_text_.str().find("fixture-plugin: timer threw: kaboom"), std::string::npos) << log_text_.str();
  EXPECT_NE(log_text_.str().find("posted function threw: posted kaboom"), std::string::npos) << log_text_.str();
}

TEST_F(EventLoopTest, IterationEndRunsAfterEveryReadySocket) {
  zmq::context_t zmq;
  zmq::socket_t a_in(zmq, zmq::socket_type::pair), a_out(zmq, zmq::socket_type::pair);
  zmq::socket_t b_in(zmq, zmq::socket_type::pair), b_out(zmq, zmq::socket_type::pair);
  a_in.bind("inproc://end-a");
  a_out.connect("inproc://end-a");
  b_in.bind("inproc://end-b");
  b_out.connect("inproc://end-b");
  std::vector<std::string> order;
  auto handler = [&](zmq::socket_t& s, std::string name) {
    return [&, name] {
      zmq::message_t msg;
      (void)s.recv(msg, zmq::recv_flags::dontwait);
      order.push_back(name);
      loop_.at_iteration_end([&, name] { order.push_back("end after " + name); });
    };
  };
  loop_.add_socket(a_in, handler(a_in, "a"));
  loop_.add_socket(b_in, handler(b_in, "b"));
  a_out.send(zmq::str_buffer("x"));
  b_out.send(zmq::str_buffer("y"));
  // Both sockets readable before the iteration, so both handlers run in the same one.
  zmq::pollitem_t items[] = {{a_in.handle(), 0, ZMQ_POLLIN, 0}, {b_in.handle(), 0, ZMQ_POLLIN, 0}};
  for (int i = 0; i < 100 && zmq::poll(items, 2, 50ms) < 2; ++i) {
  }
  loop_.run_once(1s);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "end after a", "end after b"}));
  loop_.remove_socket(a_in);
  loop_.remove_socket(b_in);
}

TEST_F(EventLoopTest, IterationEndRegisteredOutsideAnIterationRunsPromptly) {
  bool ran = false;
  bool timer_fired = false;
  loop_.at_iteration_end([&] { ran = true; });
  // If the pending callback did not cut the wait short, the iteration would block until this
  // timer is due and run it too: the order of the two says whether it waited.
  const bib::TimerId timer = loop_.add_timer(30s, [&] { timer_fired = true; });
  loop_.run_once(60s);
  EXPECT_TRUE(ran);
  EXPECT_FALSE(timer_fired) << "the iteration waited for the timer instead of running the pending callback";
  loop_.cancel_timer(timer);
}

}  // namespace
