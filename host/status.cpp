#include "status.hpp"

#include "bib/discovery.hpp"
#include "process_metrics.hpp"

namespace bib::host {

bib::Value build_status(Runtime& runtime, PluginSet& plugins, const Committer& committer) {
  bib::Map status;
  bib::Array names;
  for (const LoadedPlugin& plugin : plugins.plugins()) {
    names.emplace_back(plugin.entry.name);
    if (plugin.object) plugin.object->describe(status);
  }
  status.insert_or_assign("node", runtime.settings.name);
  if (bib::DiscoveryPlugin* discovery = plugins.discovery()) {
    if (auto rank = discovery->rank()) status.insert_or_assign("rank", *rank);
  }
  status.emplace("coordinator", bib::Value{});  // unless a plugin (coordination) said whom
  status.insert_or_assign("lamport", runtime.lamport.value());
  status.insert_or_assign("time", runtime.clock.now());
  status.insert_or_assign("clock_offset", runtime.clock.offset());
  status.insert_or_assign("events", committer.event_count());
  status.insert_or_assign("version_vector", bib::to_value(committer.version_vector()));
  status.insert_or_assign("digest", committer.digest());
  status.insert_or_assign("memory_rss", static_cast<std::int64_t>(resident_memory_bytes()));
  status.insert_or_assign("events_in_memory", committer.events().in_memory());
  status.insert_or_assign("plugins", std::move(names));
  return status;
}

}  // namespace bib::host
