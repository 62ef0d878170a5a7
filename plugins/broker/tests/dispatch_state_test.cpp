// The broker's state machine with a fake clock: rotation, liveness, hold queue, re-dispatch.
#include "dispatch_state.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bib::broker {
namespace {

using namespace std::chrono_literals;

class DispatchStateTest : public ::testing::Test {
 protected:
  DispatchStateTest() : state_(settings(), "broker-abc") {}

  static DispatchSettings settings() {
    DispatchSettings s;
    s.heartbeat = 200ms;
    s.liveness = 3;
    s.hold = 1000ms;
    s.request_timeout = 5000ms;
    s.max_inflight = 4;
    s.max_pending = 3;
    return s;
  }

  // A READY without incarnation: an older worker, every READY the newest.
  Actions ready(const std::string& identity, const std::string& name) {
    return ready(identity, Registration{name, 0, 0, {}});
  }
  Actions ready(const std::string& identity, const Registration& registration) {
    Actions out;
    last_ready_ = state_.on_ready(identity, registration, now_, out);
    return out;
  }
  Actions tick(bool may_evict_silent) {
    Actions out;
    state_.tick(now_, out, may_evict_silent);
    return out;
  }
  Actions submit(const std::string& client) {
    Actions out;
    const std::string id = state_.issue_id();
    state_.submit({id, {client, ""}, "ping", "body-" + id}, now_, out);
    return out;
  }
  Actions tick() {
    Actions out;
    state_.tick(now_, out);
    return out;
  }
  ReplyOutcome reply(const std::string& identity, const std::string& id) {
    Actions out;
    return state_.on_reply(identity, id, now_, out);
  }
  static std::vector<std::string> workers_of(const Actions& a) {
    std::vector<std::string> names;
    for (const auto& d : a.dispatches) names.push_back(d.worker);
    return names;
  }
  WorkerInfo info(const std::string& name) {
    for (const auto& w : state_.snapshot().workers) {
      if (w.name == name) return w;
    }
    ADD_FAILURE() << "no worker " << name;
    return {};
  }

  TimePoint now_ = TimePoint{} + 1h;
  bool last_ready_ = false;
  DispatchState state_;
};

TEST_F(DispatchStateTest, IssuesDistinctIdsWithThePrefix) {
  EXPECT_EQ(state_.issue_id(), "broker-abc-1");
  EXPECT_EQ(state_.issue_id(), "broker-abc-2");
}

TEST_F(DispatchStateTest, RequestGoesToTheOnlyLiveWorkerWithItsIdAndBody) {
  const auto joined = ready("w1", "server-1");
  ASSERT_EQ(joined.events.size(), 1u);
  EXPECT_EQ(joined.events[0].kind, WorkerEvent::Kind::joined);
  const auto out = submit("client");
  ASSERT_EQ(out.dispatches.size(), 1u);
  EXPECT_EQ(out.dispatches[0].identity, "w1");
  EXPECT_EQ(out.dispatches[0].id, "broker-abc-1");
  EXPECT_EQ(out.dispatches[0].body, "body-broker-abc-1");
  EXPECT_FALSE(out.dispatches[0].resent);
  EXPECT_EQ(info("server-1").inflight, 1u);
}

TEST_F(DispatchStateTest, RotatesOverLiveWorkersEvenWhenTheyAreBusy) {
  ready("w1", "server-1");
  ready("w2", "server-2");
  ready("w3", "server-3");
  std::vector<std::string> order;
  for (int i = 0; i < 6; ++i) {
    for (auto& w : workers_of(submit("c"))) order.push_back(w);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"server-1", "server-2", "server-3", "server-1",
                                             "server-2", "server-3"}));
}

TEST_F(DispatchStateTest, ReplyFromTheHolderIsDeliveredToTheClientOnce) {
  ready("w1", "server-1");
  submit("client-7");
  const auto first = reply("w1", "broker-abc-1");
  ASSERT_EQ(first.verdict, ReplyVerdict::deliver);
  EXPECT_EQ(first.request.route, (std::vector<std::string>{"client-7", ""}));
  EXPECT_EQ(first.request.service, "ping");
  EXPECT_EQ(reply("w1", "broker-abc-1").verdict, ReplyVerdict::stale);  // duplicate
  const auto snap = state_.snapshot();
  EXPECT_EQ(snap.requests, 1u);
  EXPECT_EQ(snap.replies, 1u);
  EXPECT_EQ(info("server-1").inflight, 0u);
}

TEST_F(DispatchStateTest, ReplyFromAWorkerThatDoesNotHoldTheIdIsStale) {
  ready("w1", "server-1");
  ready("w2", "server-2");
  submit("c");  // to server-1
  EXPECT_EQ(reply("w2", "broker-abc-1").verdict, ReplyVerdict::stale);
  EXPECT_EQ(reply("w1", "broker-abc-1").verdict, ReplyVerdict::deliver);
}

TEST_F(DispatchStateTest, WithoutLiveWorkersARequestWaitsThenFailsAfterHold) {
  EXPECT_TRUE(submit("c").dispatches.empty());
  EXPECT_EQ(state_.snapshot().pending, 1u);
  now_ += 999ms;
  EXPECT_TRUE(tick().failures.empty());
  now_ += 1ms;
  const auto out = tick();
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].request.id, "broker-abc-1");
  EXPECT_EQ(out.failures[0].request.service, "ping");
  EXPECT_NE(out.failures[0].description.find("no server available"), std::string::npos);
  EXPECT_EQ(state_.snapshot().pending, 0u);
  EXPECT_EQ(state_.snapshot().failed, 1u);
}

TEST_F(DispatchStateTest, HeldRequestGoesOutWhenAWorkerJoins) {
  submit("c");
  now_ += 500ms;
  const auto out = ready("w1", "server-1");
  ASSERT_EQ(out.dispatches.size(), 1u);
  EXPECT_EQ(out.dispatches[0].id, "broker-abc-1");
  now_ += 1000ms;
  EXPECT_TRUE(tick().failures.empty());
}

TEST_F(DispatchStateTest, SilentWorkerIsEvictedAfterLivenessHeartbeats) {
  ready("w1", "server-1");
  now_ += 599ms;
  EXPECT_TRUE(tick().events.empty());
  now_ += 1ms;
  const auto out = tick();
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, WorkerEvent::Kind::evicted);
  EXPECT_EQ(out.events[0].name, "server-1");
  EXPECT_FALSE(info("server-1").live);
  EXPECT_TRUE(state_.live_identities().empty());
  EXPECT_FALSE(state_.on_traffic("w1", now_));  // it must register again
}

TEST_F(DispatchStateTest, AnyTrafficCountsAsAHeartbeat) {
  ready("w1", "server-1");
  for (int i = 0; i < 10; ++i) {
    now_ += 400ms;
    EXPECT_TRUE(state_.on_traffic("w1", now_));
    EXPECT_TRUE(tick().events.empty());
  }
  submit("c");
  now_ += 400ms;
  reply("w1", "broker-abc-1");  // a reply is traffic too
  now_ += 400ms;
  EXPECT_TRUE(tick().events.empty());
  EXPECT_TRUE(info("server-1").live);
}

TEST_F(DispatchStateTest, EvictedWorkersRequestsGoToAnotherWorkerWithTheSameIdAndBody) {
  ready("w1", "server-1");
  ready("w2", "server-2");
  submit("a");  // server-1
  submit("b");  // server-2
  submit("c");  // server-1
  now_ += 300ms;
  state_.on_traffic("w2", now_);
  now_ += 300ms;
  const auto out = tick();  // server-1 silent for 600 ms
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].requeued, 2u);
  ASSERT_EQ(out.dispatches.size(), 2u);
  for (const auto& d : out.dispatches) {
    EXPECT_EQ(d.worker, "server-2");
    EXPECT_TRUE(d.resent);
    EXPECT_EQ(d.body, "body-" + d.id);
  }
  EXPECT_EQ(out.dispatches[0].id, "broker-abc-1");  // in arrival order
  EXPECT_EQ(out.dispatches[1].id, "broker-abc-3");
  EXPECT_EQ(state_.snapshot().resent, 2u);
  EXPECT_EQ(info("server-2").inflight, 3u);
  // The dead worker's late reply never reaches the client; the new holder's does.
  EXPECT_EQ(reply("w1", "broker-abc-1").verdict, ReplyVerdict::unknown_worker);
  EXPECT_EQ(reply("w2", "broker-abc-1").verdict, ReplyVerdict::deliver);
}

TEST_F(DispatchStateTest, EvictedRequestsWaitForTheNextWorkerOrFailAfterHold) {
  ready("w1", "server-1");
  submit("a");
  submit("b");
  now_ += 600ms;
  const auto evicted = tick();
  EXPECT_TRUE(evicted.dispatches.empty());
  EXPECT_TRUE(evicted.failures.empty());
  EXPECT_EQ(state_.snapshot().pending, 2u);
  now_ += 500ms;
  const auto rejoined = ready("w9", "server-1");  // same server, new connection
  ASSERT_EQ(rejoined.events.size(), 1u);
  EXPECT_EQ(rejoined.events[0].kind, WorkerEvent::Kind::rejoined);
  EXPECT_EQ(rejoined.dispatches.size(), 2u);
  EXPECT_TRUE(info("server-1").live);

  now_ += 600ms;
  tick();  // evicted again, nobody else: a second resend backs off 50 ms, then waits hold, then erro
  now_ += 1049ms;
  EXPECT_TRUE(tick().failures.empty());
  now_ += 1ms;
  EXPECT_EQ(tick().failures.size(), 2u);
}

TEST_F(DispatchStateTest, SameNameOnANewConnectionReplacesTheOldOne) {
  ready("w1", "server-1");
  submit("a");
  const auto out = ready("w2", "server-1");  // restarted before it was evicted
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].kind, WorkerEvent::Kind::evicted);
  EXPECT_EQ(out.events[1].kind, WorkerEvent::Kind::rejoined);
  ASSERT_EQ(out.dispatches.size(), 1u);
  EXPECT_EQ(out.dispatches[0].identity, "w2");
  EXPECT_EQ(state_.live_identities(), std::vector<std::string>{"w2"});
}

TEST_F(DispatchStateTest, ReadyAgainOnTheSameConnectionChangesNothing) {
  ready("w1", "server-1");
  submit("a");
  const auto out = ready("w1", "server-1");
  EXPECT_TRUE(out.events.empty());
  EXPECT_EQ(info("server-1").inflight, 1u);
}

TEST_F(DispatchStateTest, DisconnectEvictsAtOnceAndResends) {
  ready("w1", "server-1");
  ready("w2", "server-2");
  submit("a");  // server-1
  Actions out;
  state_.on_disconnect("w1", "disconnected", now_, out);
  ASSERT_EQ(out.dispatches.size(), 1u);
  EXPECT_EQ(out.dispatches[0].worker, "server-2");
  EXPECT_FALSE(info("server-1").live);
}

TEST_F(DispatchStateTest, AFullWorkerIsSkippedAndQueueWaitsForRoom) {
  ready("w1", "server-1");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(submit("c").dispatches.size(), 1u);
  EXPECT_TRUE(submit("c").dispatches.empty());  // max_inflight 4
  EXPECT_EQ(state_.snapshot().pending, 1u);
  Actions out;
  const auto r = state_.on_reply("w1", "broker-abc-2", now_, out);
  EXPECT_EQ(r.verdict, ReplyVerdict::deliver);
  ASSERT_EQ(out.dispatches.size(), 1u);
  EXPECT_EQ(out.dispatches[0].id, "broker-abc-5");
}

TEST_F(DispatchStateTest, BusyServersFailAfterHoldWithTheReason) {
  ready("w1", "server-1");
  for (int i = 0; i < 5; ++i) submit("c");
  now_ += 400ms;
  state_.on_traffic("w1", now_);
  now_ += 400ms;
  state_.on_traffic("w1", now_);
  now_ += 200ms;
  const auto out = tick();
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_NE(out.failures[0].description.find("busy"), std::string::npos);
}

TEST_F(DispatchStateTest, QueueOverItsBoundRefusesTheNewestAtOnce) {
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(submit("c").failures.empty());
  const auto out = submit("c");
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].request.id, "broker-abc-4");
  EXPECT_EQ(state_.snapshot().pending, 3u);
}

TEST_F(DispatchStateTest, UnansweredRequestOnALiveWorkerFailsAfterRequestTimeout) {
  ready("w1", "server-1");
  submit("c");
  for (int i = 0; i < 24; ++i) {
    now_ += 200ms;
    state_.on_traffic("w1", now_);
    EXPECT_TRUE(tick().failures.empty());
  }
  now_ += 200ms;  // 5000 ms after dispatch
  state_.on_traffic("w1", now_);
  const auto out = tick();
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_NE(out.failures[0].description.find("no reply from server-1"), std::string::npos);
  EXPECT_TRUE(out.events.empty());  // heartbeating: not evicted
  EXPECT_EQ(info("server-1").inflight, 0u);
  EXPECT_EQ(reply("w1", "broker-abc-1").verdict, ReplyVerdict::stale);
}

TEST_F(DispatchStateTest, UnknownIdentityIsNotAWorker) {
  EXPECT_FALSE(state_.on_traffic("nobody", now_));
  EXPECT_EQ(reply("nobody", "x").verdict, ReplyVerdict::unknown_worker);
  EXPECT_EQ(state_.worker_name("nobody"), "");
  Actions out;
  state_.on_disconnect("nobody", "disconnected", now_, out);
  EXPECT_TRUE(out.events.empty());
}

// --- registrations ordered by (incarnation, generation) ---------------------------------------

TEST_F(DispatchStateTest, AStaleReadyNeverEvictsTheLiveConnection) {
  ready("w2", Registration{"server-1", 5, 2, {}});
  submit("a");
  // READY of connection 1, reordered behind connection 2's: refused, nothing moves.
  const auto out = ready("w1", Registration{"server-1", 5, 1, {}});
  EXPECT_FALSE(last_ready_);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, WorkerEvent::Kind::stale_ready);
  EXPECT_TRUE(out.dispatches.empty());
  EXPECT_EQ(state_.live_identities(), std::vector<std::string>{"w2"});
  EXPECT_EQ(info("server-1").inflight, 1u);
  EXPECT_EQ(reply("w2", "broker-abc-1").verdict, ReplyVerdict::deliver);
  EXPECT_EQ(state_.snapshot().resent, 0u);
}

TEST_F(DispatchStateTest, ANewConnectionOfTheSameRunKeepsWhatItIsAnswering) {
  ready("w1", Registration{"server-1", 5, 1, {}});
  ready("w9", Registration{"server-2", 7, 1, {}});
  submit("a");  // server-1
  submit("b");  // server-2
  submit("c");  // server-1
  // server-1 reconnects: it is answering a; c was still unread in the old connection.
  const auto out = ready("w3", Registration{"server-1", 5, 2, {"broker-abc-1"}});
  EXPECT_TRUE(last_ready_);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, WorkerEvent::Kind::reconnected);
  EXPECT_EQ(out.events[0].kept, 1u);
  EXPECT_EQ(out.events[0].requeued, 1u);
  ASSERT_EQ(out.dispatches.size(), 1u);
  EXPECT_EQ(out.dispatches[0].id, "broker-abc-3");
  EXPECT_TRUE(out.dispatches[0].resent);
  // a's reply comes on the new connection and reaches the client; the old one is forgotten.
  EXPECT_EQ(reply("w3", "broker-abc-1").verdict, ReplyVerdict::deliver);
  EXPECT_EQ(reply("w1", "broker-abc-1").verdict, ReplyVerdict::unknown_worker);
  EXPECT_TRUE(info("server-1").live);
}

TEST_F(DispatchStateTest, RejoiningAfterEvictionTakesBackWhatWasNotYetResent) {
  ready("w1", Registration{"server-1", 5, 1, {}});
  submit("a");
  now_ += 600ms;
  tick();  // silent: evicted, a waits for a server
  EXPECT_EQ(state_.snapshot().pending, 1u);
  const auto out = ready("w2", Registration{"server-1", 5, 2, {"broker-abc-1"}});
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, WorkerEvent::Kind::rejoined);
  EXPECT_EQ(out.events[0].kept, 1u);
  EXPECT_TRUE(out.dispatches.empty());  // not sent again: it is being answered
  EXPECT_EQ(state_.snapshot().pending, 0u);
  EXPECT_EQ(reply("w2", "broker-abc-1").verdict, ReplyVerdict::deliver);
}

TEST_F(DispatchStateTest, ANewRunOfALiveNameResendsEverythingTheOldRunHeld) {
  ready("w1", Registration{"server-1", 5, 3, {}});
  ready("w9", Registration{"server-2", 7, 1, {}});
  submit("a");  // server-1
  const auto out = ready("w2", Registration{"server-1", 6, 1, {"broker-abc-1"}});
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].kind, WorkerEvent::Kind::evicted);
  EXPECT_EQ(out.events[0].requeued, 1u);
  EXPECT_EQ(out.events[1].kind, WorkerEvent::Kind::rejoined);
  ASSERT_EQ(out.dispatches.size(), 1u);
  EXPECT_EQ(out.dispatches[0].worker, "server-2");
}

TEST_F(DispatchStateTest, OnceTheNewerConnectionIsGoneAnyReadyRegisters) {
  ready("w2", Registration{"server-1", 5, 2, {}});
  now_ += 600ms;
  tick();  // evicted
  ready("w1", Registration{"server-1", 4, 9, {}});  // say a clock stepped back across a restart
  EXPECT_TRUE(last_ready_);
  EXPECT_TRUE(info("server-1").live);
}

// --- bounded life and back-off ------------------------------------------------------------------

TEST_F(DispatchStateTest, ResendsOfARequestThatKeepsLosingServersBackOff) {
  ready("w1", "server-1");
  ready("w2", "server-2");
  submit("a");  // server-1
  Actions first;
  state_.on_disconnect("w1", "gone", now_, first);
  ASSERT_EQ(first.dispatches.size(), 1u);  // the first resend goes at once
  EXPECT_EQ(first.dispatches[0].worker, "server-2");
  ready("w3", "server-1");
  Actions second;
  state_.on_disconnect("w2", "gone", now_, second);
  EXPECT_TRUE(second.dispatches.empty());  // the second waits a quarter heartbeat (50 ms)
  now_ += 49ms;
  EXPECT_TRUE(tick().dispatches.empty());
  now_ += 1ms;
  const auto released = tick();
  ASSERT_EQ(released.dispatches.size(), 1u);
  EXPECT_EQ(released.dispatches[0].worker, "server-1");
  ready("w4", "server-2");
  Actions third;
  state_.on_disconnect("w3", "gone", now_, third);
  now_ += 99ms;  // the third twice as long
  EXPECT_TRUE(tick().dispatches.empty());
  now_ += 1ms;
  EXPECT_EQ(tick().dispatches.size(), 1u);
  EXPECT_EQ(state_.snapshot().resent, 3u);
}

TEST_F(DispatchStateTest, ARequestGoingRoundTheServersHasABoundedLife) {
  ready("w1", "server-1");
  submit("a");
  int round = 0;
  Actions out;
  // Every 400 ms its holder is evicted and it comes back: without a bound it would never end.
  while (out.failures.empty() && round < 100) {
    now_ += 400ms;
    state_.on_disconnect("w" + std::to_string(round + 1), "gone", now_, out);
    ready("w" + std::to_string(round + 2), "server-1");
    out = tick();
    ++round;
  }
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(round, 13);  // 5000 ms after it arrived
  EXPECT_NE(out.failures[0].description.find("no reply within 5000 ms"), std::string::npos)
      << out.failures[0].description;
  const auto snap = state_.snapshot();
  EXPECT_EQ(snap.expired, 1u);
  EXPECT_EQ(snap.pending, 0u);
  EXPECT_EQ(info("server-1").inflight, 0u);
}

TEST_F(DispatchStateTest, AFullConnectionSendsTheRequestElsewhereWithoutEvicting) {
  ready("w1", "server-1");
  ready("w2", "server-2");
  submit("a");  // server-1, whose queue turns out to be full
  Actions out;
  state_.on_unsent("w1", "broker-abc-1", now_, out);
  ASSERT_EQ(out.dispatches.size(), 1u);
  EXPECT_EQ(out.dispatches[0].worker, "server-2");
  EXPECT_FALSE(out.dispatches[0].resent);  // it never left
  EXPECT_TRUE(out.events.empty());
  EXPECT_TRUE(info("server-1").live);
  // server-1 gets nothing until a heartbeat interval has passed.
  EXPECT_EQ(workers_of(submit("b")), std::vector<std::string>{"server-2"});
  now_ += 200ms;
  state_.on_traffic("w1", now_);
  state_.on_traffic("w2", now_);
  EXPECT_EQ(workers_of(submit("c")), std::vector<std::string>{"server-1"});
}

// READYs under ever new names (a hostile peer, docs/protocol.md "Hostile input") cannot grow the
// registry without end: of the evicted workers only the most recent are remembered.
TEST_F(DispatchStateTest, OnlyTheMostRecentlyEvictedWorkersAreRemembered) {
  ready("w-live", "server-1");
  const std::size_t ghosts = DispatchState::kMaxEvictedRemembered + 500;
  for (std::size_t i = 0; i < ghosts; ++i) {
    const std::string identity = "g" + std::to_string(i);
    ready(identity, "ghost-" + std::to_string(i));
    Actions out;
    state_.on_disconnect(identity, "it left (DISCONNECT)", now_, out);
  }
  tick();
  const auto workers = state_.snapshot().workers;
  EXPECT_EQ(workers.size(), DispatchState::kMaxEvictedRemembered + 1);
  EXPECT_TRUE(info("server-1").live);
  EXPECT_TRUE(info("ghost-" + std::to_string(ghosts - 1)).name.size() > 0);  // the newest are kept
  for (const auto& w : workers) EXPECT_NE(w.name, "ghost-0");                 // the oldest forgotten

  // A forgotten name that comes back registers as a new one, and is remembered again.
  ready("g-again", "ghost-0");
  EXPECT_TRUE(last_ready_);
  EXPECT_TRUE(info("ghost-0").live);
  tick();
  EXPECT_TRUE(info("ghost-0").live);
  EXPECT_EQ(state_.snapshot().workers.size(), DispatchState::kMaxEvictedRemembered + 2);
}

TEST_F(DispatchStateTest, NoSilenceEvictionWhileTheCallerHasUnreadMessages) {
  ready("w1", "server-1");
  now_ += 600ms;
  EXPECT_TRUE(tick(false).events.empty());
  EXPECT_TRUE(info("server-1").live);
  EXPECT_EQ(tick(true).events.size(), 1u);
}

// PAUSE: a server that cannot accept writes (no majority in reach) stays registered and answers
// what it holds, but gets nothing new until RESUME.
TEST_F(DispatchStateTest, APausedWorkerKeepsWhatItHoldsAndGetsNothingNewUntilItResumes) {
  ready("w1", Registration{"server-1", 5, 1, {}});
  ready("w2", Registration{"server-2", 7, 1, {}});
  submit("a");  // server-1
  Actions out;
  EXPECT_TRUE(state_.on_pause("w1", true, "1 of 3 servers reachable", now_, out));
  EXPECT_TRUE(out.dispatches.empty());
  EXPECT_TRUE(info("server-1").paused);
  EXPECT_EQ(info("server-1").pause_reason, "1 of 3 servers reachable");
  for (const char* client : {"b", "c", "d"}) EXPECT_EQ(workers_of(submit(client)), std::vector<std::string>{"server-2"});
  // What it held is still its own: its reply is delivered, nothing was sent elsewhere.
  EXPECT_EQ(reply("w1", "broker-abc-1").verdict, ReplyVerdict::deliver);
  EXPECT_EQ(state_.snapshot().resent, 0u);
  // Still live: paused is not silent.
  now_ += 500ms;
  EXPECT_TRUE(state_.on_traffic("w1", now_));
  EXPECT_TRUE(tick().events.empty());

  Actions resumed;
  EXPECT_TRUE(state_.on_pause("w1", false, "", now_, resumed));
  EXPECT_FALSE(info("server-1").paused);
  EXPECT_EQ(info("server-1").pause_reason, "");
  EXPECT_EQ(workers_of(submit("e")), std::vector<std::string>{"server-1"});
}

TEST_F(DispatchStateTest, WhenEveryLiveWorkerIsPausedARequestWaitsThenFailsNamingTheReason) {
  ready("w1", Registration{"server-1", 5, 1, {}});
  Actions out;
  state_.on_pause("w1", true, "1 of 3 servers reachable (this one included), 2 needed", now_, out);
  EXPECT_TRUE(submit("c").dispatches.empty());
  for (int i = 0; i < 4; ++i) {  // its heartbeats go on
    now_ += 250ms;
    state_.on_traffic("w1", now_);
  }
  const auto failed = tick();
  ASSERT_EQ(failed.failures.size(), 1u);
  EXPECT_EQ(failed.failures[0].description,
            "no server available: every live server paused for 1000 ms (server-1: 1 of 3 servers reachable "
            "(this one included), 2 needed)");
}

TEST_F(DispatchStateTest, AResumeSendsWhatWaitedForAServer) {
  ready("w1", Registration{"server-1", 5, 1, {}});
  Actions out;
  state_.on_pause("w1", true, "cut off", now_, out);
  submit("c");
  now_ += 500ms;
  Actions resumed;
  state_.on_pause("w1", false, "", now_, resumed);
  ASSERT_EQ(resumed.dispatches.size(), 1u);
  EXPECT_EQ(resumed.dispatches[0].id, "broker-abc-1");
}

TEST_F(DispatchStateTest, APauseSurvivesANewConnectionOfTheSameRunButNotANewRun) {
  ready("w1", Registration{"server-1", 5, 1, {}});
  Actions out;
  state_.on_pause("w1", true, "cut off", now_, out);
  ready("w2", Registration{"server-1", 5, 2, {}});  // the same run reconnects: it says RESUME when it resumes
  EXPECT_TRUE(info("server-1").paused);
  ready("w3", Registration{"server-1", 6, 1, {}});  // a new run says PAUSE itself when it must
  EXPECT_FALSE(info("server-1").paused);
}

TEST_F(DispatchStateTest, APauseFromAnUnknownConnectionChangesNothing) {
  Actions out;
  EXPECT_FALSE(state_.on_pause("nobody", true, "x", now_, out));
  EXPECT_TRUE(state_.snapshot().workers.empty());
}

}  // namespace
}  // namespace bib::broker
