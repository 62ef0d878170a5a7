// The SDK's owned registrations (bib::Timer, bib::SocketWatch) and bib::Lifeline, on the host's
// real loop: a registration ends with its handle, moves with it, and a guarded callback does
// nothing once its owner is gone or renewed.
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "bib/lifeline.hpp"
#include "event_loop.hpp"

using namespace std::chrono_literals;

namespace {

class LoopHandlesTest : public ::testing::Test {
 protected:
  LoopHandlesTest() : logger_("handles-test", std::make_shared<spdlog::sinks::null_sink_st>()), loop_(logger_) {
    // A test that would hang fails instead.
    guard_ = loop_.start_timer(10s, [this] {
      timed_out_ = true;
      loop_.stop();
    });
  }
  ~LoopHandlesTest() override { EXPECT_FALSE(timed_out_) << "the loop had to be stopped by the guard timer"; }

  // Runs the loop until `after` has passed (a timer of its own stops it).
  void run_for(std::chrono::milliseconds after) {
    bib::Timer stop = loop_.start_timer(after, [this] { loop_.stop(); });
    loop_.run();
    loop_.reset_stop();
  }

  spdlog::logger logger_;
  bib::host::EventLoop loop_;
  bib::Timer guard_;
  bool timed_out_ = false;
};

TEST_F(LoopHandlesTest, DestroyedTimerNeverFires) {
  bool fired = false;
  {
    bib::Timer timer = loop_.start_timer(1ms, [&] { fired = true; });
    EXPECT_TRUE(timer.armed());
  }
  run_for(30ms);
  EXPECT_FALSE(fired);
}

TEST_F(LoopHandlesTest, AssigningOverATimerCancelsTheOldOne) {
  std::string fired;
  bib::Timer timer = loop_.start_timer(1ms, [&] { fired += "old"; });
  timer = loop_.start_timer(2ms, [&] { fired += "new"; });
  run_for(30ms);
  EXPECT_EQ(fired, "new");
}

TEST_F(LoopHandlesTest, MovedTimerStaysArmedInItsNewOwner) {
  int fired = 0;
  std::optional<bib::Timer> owner;
  {
    bib::Timer timer = loop_.start_timer(1ms, [&] { ++fired; });
    owner.emplace(std::move(timer));
    EXPECT_FALSE(timer.armed());  // NOLINT(bugprone-use-after-move): moved-from is documented empty
  }
  run_for(30ms);
  EXPECT_EQ(fired, 1);
  EXPECT_TRUE(owner->armed());  // a fired one-shot keeps its handle until reset
  owner->reset();
  EXPECT_FALSE(owner->armed());
}

TEST_F(LoopHandlesTest, RepeatingTimerResetFromItsOwnCallbackStops) {
  int ticks = 0;
  bib::Timer timer;
  timer = loop_.start_timer(
      1ms,
      [&] {
        if (++ticks == 3) timer.reset();
      },
      true);
  run_for(60ms);
  EXPECT_EQ(ticks, 3);
}

TEST_F(LoopHandlesTest, DestroyedSocketWatchStopsTheCallbacks) {
  zmq::context_t zmq;
  zmq::socket_t in(zmq, zmq::socket_type::pair), out(zmq, zmq::socket_type::pair);
  in.bind("inproc://handles-watch");
  out.connect("inproc://handles-watch");
  int calls = 0;
  {
    bib::SocketWatch watch = loop_.watch_socket(in, [&] { ++calls; });
    EXPECT_TRUE(watch.active());
  }
  out.send(zmq::str_buffer("unread"));  // a watched socket would fire on every iteration
  run_for(30ms);
  EXPECT_EQ(calls, 0);
}

TEST_F(LoopHandlesTest, SocketWatchDeliversUntilReset) {
  zmq::context_t zmq;
  zmq::socket_t in(zmq, zmq::socket_type::pair), out(zmq, zmq::socket_type::pair);
  in.bind("inproc://handles-deliver");
  out.connect("inproc://handles-deliver");
  std::string got;
  bib::SocketWatch watch;
  watch = loop_.watch_socket(in, [&] {
    zmq::message_t msg;
    if (in.recv(msg, zmq::recv_flags::dontwait)) got += msg.to_string();
    watch.reset();  // from inside its own callback
  });
  out.send(zmq::str_buffer("one"));
  run_for(20ms);
  out.send(zmq::str_buffer("two"));
  run_for(20ms);
  EXPECT_EQ(got, "one");
  EXPECT_FALSE(watch.active());
}

TEST_F(LoopHandlesTest, GuardedCallbackRunsOnlyWhileItsLifelineLives) {
  std::string ran;
  std::function<void()> early;
  std::function<void(const std::string&)> with_argument;
  {
    bib::Lifeline lifeline;
    early = lifeline.guard([&] { ran += "early;"; });
    with_argument = lifeline.guard([&](const std::string& word) { ran += word + ";"; });
    early();
    with_argument("argument");
  }
  early();
  with_argument("late");
  EXPECT_EQ(ran, "early;argument;");
}

TEST_F(LoopHandlesTest, RenewedLifelineDropsOnlyTheOlderCallbacks) {
  std::string ran;
  bib::Lifeline lifeline;
  loop_.post(lifeline.guard([&] { ran += "before;"; }));
  lifeline.renew();
  loop_.post(lifeline.guard([&] { ran += "after;"; }));
  run_for(10ms);
  EXPECT_EQ(ran, "after;");
}

}  // namespace
