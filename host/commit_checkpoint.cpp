// Start-up from a checkpoint, and taking checkpoints (docs/persistence.md, "Checkpoints").
//
// A checkpoint is everything replay would rebuild: the version vector (EventStore), count and
// digest (EventLog), the remembered request ids (RequestLog), the Lamport clock, the next
// local seq, and the state of every service plugin that has applied events. It is taken only
// when every applied event is flushed, and the persistence plugin keeps it together with its
// own index, so the two always describe the same events. At start-up the host restores it and
// applies only the events stored after it; when anything does not fit (another node's, a
// plugin missing or unable to restore, a torn file) the whole log is replayed instead, as
// before checkpoints existed: slower, never wrong.
#include <chrono>

#include "checkpoint_payload.hpp"
#include "checkpoint_seal.hpp"
#include "commit.hpp"

namespace bib::host {

namespace {

std::string mib(std::size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

}  // namespace

std::map<std::string, bib::ServicePlugin*> Committer::plugins_by_name() const {
  std::map<std::string, bib::ServicePlugin*> out;
  for (const auto& [service, route] : deps_.services) out.emplace(route.plugin_name, route.plugin);
  return out;
}

std::size_t Committer::replay() {
  if (deps_.persistence == nullptr) return 0;
  std::optional<std::string> sealed;
  try {
    sealed = deps_.persistence->load_checkpoint();
  } catch (const std::exception& e) {
    deps_.log.warn("cannot read the checkpoint, replaying the whole log: {}", e.what());
  }
  std::size_t applied = 0;
  auto apply_stored = [&](const bib::Event& event) {
    deps_.lamport.observe(event.clock);  // new local events come after every replayed one
    if (store_.applied(event.origin, event.seq)) return;
    bib::Value reply = owner_of(event).apply(event, bib::ApplyMode::replay);
    applied_elsewhere(event, reply);
    ++applied;
  };
  if (sealed && restore_checkpoint(*sealed)) {
    from_checkpoint_ = true;
    since_checkpoint_ = 0;
    deps_.persistence->replay_since_checkpoint(apply_stored);
  } else {
    deps_.persistence->replay(apply_stored);
  }
  // A long replay is worth a checkpoint at once, so that the next start is quick.
  if (deps_.checkpoint_every > 0 && since_checkpoint_ >= deps_.checkpoint_every) checkpoint("after replay");
  return applied;
}

bool Committer::restore_checkpoint(std::string_view sealed) {
  // Everything is read into temporaries first; the plugins' states go in last, and are undone
  // if one of them refuses, so a checkpoint that cannot be used changes nothing.
  std::optional<CheckpointPayload> read;
  try {
    read.emplace(read_checkpoint_payload(unseal_checkpoint(deps_.node_name, sealed), deps_.remembered_requests));
  } catch (const std::exception& e) {
    deps_.log.warn("the checkpoint cannot be read, replaying the whole log: {}", e.what());
    return false;
  }
  auto& [next_seq, lamport, store, totals, requests, services, states] = *read;

  const auto plugins = plugins_by_name();
  for (const std::string& service : services) {
    auto route = deps_.services.find(service);
    if (route == deps_.services.end() || !states.contains(route->second.plugin_name)) {
      deps_.log.warn("the checkpoint has events of service '{}' but no state of a loaded plugin answering it; "
                     "replaying the whole log",
                     service);
      return false;
    }
  }
  std::vector<bib::ServicePlugin*> restored;
  for (const auto& [name, bytes] : states) {
    auto plugin = plugins.find(name);
    if (plugin == plugins.end()) continue;  // no longer loaded, and none of its services has events
    try {
      plugin->second->restore_state(bytes);
      restored.push_back(plugin->second);
    } catch (const std::exception& e) {
      deps_.log.warn("plugin '{}' cannot restore its checkpoint state ({}); replaying the whole log", name, e.what());
      for (bib::ServicePlugin* undo : restored) undo->restore_state("");
      return false;
    }
  }

  store_ = std::move(store);
  log_.adopt_totals(totals);
  requests_ = std::move(requests);
  next_seq_ = next_seq;
  deps_.lamport.observe(lamport);
  event_services_ = std::move(services);
  deps_.log.info("restored the checkpoint: {} events, next local seq {}", store_.count(), next_seq_);
  return true;
}

std::optional<std::string> Committer::checkpoint_payload(std::string& why_not) const {
  if (!checkpoints_off_.empty()) {
    why_not = checkpoints_off_;
    return std::nullopt;
  }
  std::map<std::string, const bib::ServicePlugin*> owners;
  for (const std::string& service : event_services_) {
    auto route = deps_.services.find(service);
    if (route != deps_.services.end()) owners.emplace(route->second.plugin_name, route->second.plugin);
  }
  std::vector<std::pair<std::string, std::string>> states;
  for (const auto& [name, plugin] : owners) {
    std::optional<std::string> state = plugin->save_state();
    if (!state) {
      why_not = "plugin '" + name + "' keeps no checkpoint state (ServicePlugin::save_state)";
      return std::nullopt;
    }
    states.emplace_back(name, std::move(*state));
  }

  std::size_t state_bytes = 0;
  for (const auto& [name, state] : states) state_bytes += state.size() + name.size() + 16;
  bib::StateWriter out = checkpoint_writer(deps_.node_name);
  out.reserve(state_bytes + requests_.size() * 64 + 4096);
  write_checkpoint_payload(out, {next_seq_, deps_.lamport.value(), store_, log_, requests_, event_services_, states});
  return seal(std::move(out));
}

void Committer::checkpoint(const char* why) {
  if (deps_.persistence == nullptr) return;
  // Counted from here whatever happens, so that a checkpoint that cannot be taken is tried
  // again only after checkpoint_every more events, not at every flush.
  const std::uint64_t events = since_checkpoint_;
  since_checkpoint_ = 0;
  if (!unflushed_.empty()) {
    deps_.log.warn("no checkpoint {}: {} event(s) not yet flushed", why, unflushed_.size());
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  std::string why_not;
  std::optional<std::string> sealed = checkpoint_payload(why_not);
  if (!sealed) {
    deps_.log.info("no checkpoint {}: {}; the next start replays the whole log", why, why_not);
    return;
  }
  try {
    if (!deps_.persistence->save_checkpoint(*sealed)) return;  // the plugin keeps none
  } catch (const std::exception& e) {
    deps_.log.error("cannot save a checkpoint {}: {}", why, e.what());
    return;
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  deps_.log.info("checkpoint {}: {} events ({} since the last), {} of host state, in {} ms", why, store_.count(),
                 events, mib(sealed->size()), ms.count());
}

}  // namespace bib::host
