#include "commit.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace bib::host {

namespace {

std::string event_name(const bib::Event& event) {
  return event.origin + "#" + std::to_string(event.seq) + " (" + event.service + ")";
}

using SteadyClock = std::chrono::steady_clock;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// What a retry of a replayed or replicated write is answered with, when the plugin's apply()
// did not build a reply in that mode.
bib::Value default_reply() { return bib::Map{{"status", "OK"}}; }

}  // namespace

std::string request_id_of(const bib::Value& data) {
  const bib::Value* id = data.is_map() ? data.find("request_id") : nullptr;
  return id && id->is_string() ? id->as_string() : std::string();
}

std::string dedup_key(const std::string& service, const std::string& request_id) {
  // The same id under another service is another request (a read never takes a write's reply).
  return request_id.empty() ? std::string() : service + '\n' + request_id;
}

Committer::Committer(Deps deps)
    : deps_(std::move(deps)), log_(deps_.persistence, deps_.recent_events), requests_(deps_.remembered_requests) {
  if (deps_.metrics != nullptr) {
    commit_seconds_ = &deps_.metrics->histogram(
        "bib_commit_duration_seconds",
        "Local writes, from the handler's write to the reply: apply, store, flush, replicate.");
    flush_seconds_ = &deps_.metrics->histogram("bib_flush_duration_seconds",
                                               "Persistence flushes, one per loop iteration with writes.");
    gauges_.push_back(deps_.metrics->gauge_fn("bib_events_stored", "Events this node has applied, from every origin.",
                                              {}, [this] { return static_cast<double>(store_.count()); }));
    gauges_.push_back(deps_.metrics->gauge_fn("bib_events_in_memory",
                                              "Applied events also held in memory (the recent ones, with a store).",
                                              {}, [this] { return static_cast<double>(log_.in_memory()); }));
    gauges_.push_back(deps_.metrics->gauge_fn("bib_events_since_checkpoint",
                                              "Events applied since the last checkpoint.", {},
                                              [this] { return static_cast<double>(since_checkpoint_); }));
  }
}

bool Committer::answer_retry(const bib::Request& request, const Done& done) {
  return requests_.answer(dedup_key(request.service, request_id_of(request.data)), done);
}

void Committer::commit(bib::ServicePlugin& plugin, const bib::Request& request, bib::Write write, Done done) {
  const SteadyClock::time_point started = SteadyClock::now();
  bib::Event event;
  event.origin = deps_.node_name;
  event.seq = next_seq_;
  event.clock = deps_.lamport.tick();
  event.timestamp = deps_.clock.now();
  event.service = request.service;
  event.data = std::move(write.data);
  event.request_id = request_id_of(request.data);

  // 1. apply
  bib::Value reply;
  try {
    reply = plugin.apply(event, bib::ApplyMode::local);
  } catch (const std::exception& e) {
    // Not applied, so not committed: the seq stays free and a retry runs again.
    done(bib::Error{e.what()});
    return;
  }
  store_.mark(event.origin, event.seq);
  ++next_seq_;
  remember(event);

  // From here on the request's first reply is whatever step 2-5 decide; retries wait for it.
  const std::string key = dedup_key(event.service, event.request_id);
  requests_.begin(key);
  Done finish = [this, key, started, done = std::move(done)](bib::Result<bib::Value> result) {
    if (commit_seconds_ != nullptr) commit_seconds_->observe(seconds_since(started));
    requests_.finish(key, result);
    done(std::move(result));
  };
  persist(InFlight{std::move(event), std::move(reply), std::move(finish), {}});
}

void Committer::persist(InFlight item) {
  if (deps_.persistence == nullptr) {
    replicate_and_reply(std::move(item));
    return;
  }
  // 2. append
  try {
    deps_.persistence->append(item.event);
  } catch (const std::exception& e) {
    deps_.log.error("cannot append event {}: {}", event_name(item.event), e.what());
    checkpoints_off_ = "an event failed to be stored";  // applied in memory, not on disk
    if (item.done) item.done(bib::Error{std::string("write not persisted: ") + e.what()});
    if (item.durable) item.durable(false, std::string("not persisted: ") + e.what());
    return;
  }
  // 3. flush, once for everything appended in this loop iteration.
  unflushed_.push_back(std::move(item));
  if (!flush_scheduled_) {
    flush_scheduled_ = true;
    deps_.loop.at_iteration_end([this] { flush_pending(); });
  }
}

void Committer::flush_pending() {
  flush_scheduled_ = false;
  std::vector<InFlight> batch;
  batch.swap(unflushed_);
  try {
    const SteadyClock::time_point started = SteadyClock::now();
    deps_.persistence->flush();
    if (flush_seconds_ != nullptr) flush_seconds_->observe(seconds_since(started));
  } catch (const std::exception& e) {
    deps_.log.error("cannot flush {} event(s): {}", batch.size(), e.what());
    checkpoints_off_ = "a flush failed";
    for (InFlight& item : batch) {
      if (item.done) item.done(bib::Error{std::string("write not durable: ") + e.what()});
      if (item.durable) item.durable(false, std::string("not durable: ") + e.what());
    }
    return;
  }
  for (InFlight& item : batch) replicate_and_reply(std::move(item));
  if (deps_.checkpoint_every > 0 && since_checkpoint_ >= deps_.checkpoint_every && unflushed_.empty())
    checkpoint("periodic");
}

void Committer::replicate_and_reply(InFlight item) {
  if (!item.done) {  // a peer's event: never replicated again, nobody to answer
    if (item.durable) item.durable(true, "");
    return;
  }
  if (deps_.replication == nullptr) {
    item.done(std::move(item.reply));  // 5. reply
    return;
  }
  // 4. replicate, then 5. reply from its done (now or later).
  auto reply_after = [done = item.done, reply = item.reply](bool ok, const std::string& error) {
    if (ok)
      done(reply);
    else
      done(bib::Error{error.empty() ? std::string("replication failed") : error});
  };
  try {
    deps_.replication->replicate(item.event, std::move(reply_after));
  } catch (const std::exception& e) {
    deps_.log.error("replication of event {} failed: {}", event_name(item.event), e.what());
    item.done(bib::Error{std::string("replication failed: ") + e.what()});
  }
}

bib::ServicePlugin& Committer::owner_of(const bib::Event& event) const {
  auto route = deps_.services.find(event.service);
  if (route == deps_.services.end())
    throw std::runtime_error("event " + event_name(event) + ": no loaded plugin answers service '" +
                             event.service + "'");
  return *route->second.plugin;
}

void Committer::remember(const bib::Event& event) {
  log_.add(event);
  if (!event_services_.contains(event.service)) event_services_.insert(event.service);
  ++since_checkpoint_;
  for (const auto& listener : applied_listeners_) listener(event);
}

void Committer::applied_elsewhere(const bib::Event& event, const bib::Value& reply) {
  store_.mark(event.origin, event.seq);
  remember(event);
  if (event.origin == deps_.node_name) next_seq_ = std::max(next_seq_, event.seq + 1);
  requests_.record(dedup_key(event.service, event.request_id), reply.is_map() ? reply : default_reply());
}


bool Committer::ingest(const bib::Event& event) { return ingest_with(event, {}); }

bool Committer::ingest_with(const bib::Event& event, bib::Replica::Done durable) {
  deps_.lamport.observe(event.clock);
  if (store_.applied(event.origin, event.seq)) return false;
  bib::Value reply = owner_of(event).apply(event, bib::ApplyMode::replicated);
  applied_elsewhere(event, reply);
  persist(InFlight{event, bib::Value{}, Done{}, std::move(durable)});
  return true;
}

void Committer::ingest(const bib::Event& event, bib::Replica::Done durable) {
  bool fresh = false;
  try {
    fresh = ingest_with(event, durable);
  } catch (const std::exception& e) {
    // No line here: the caller reports it (replication, once per interval: a hostile batch of
    // events nobody can apply must not cost a line each).
    durable(false, e.what());
    return;
  }
  // Already applied: durable once this iteration's flush (queued before this) has run.
  if (!fresh) deps_.loop.at_iteration_end([durable = std::move(durable)] { durable(true, ""); });
}

}  // namespace bib::host
