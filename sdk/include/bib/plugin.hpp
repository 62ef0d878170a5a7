// The plugin model (docs/architecture.md).
//
// A plugin is a shared library that exports one PluginDescriptor, through BIB_PLUGIN
// (bib/plugin_export.hpp, included only by the one source file that uses it):
//
//   #include "bib/plugin_export.hpp"
//   class Echo final : public bib::ServicePlugin { ... };
//   BIB_PLUGIN(echo, bib::PluginKind::service, "1.0.0", Echo)
//
// The host imports the descriptor with boost::dll::import_alias, checks abi_version before
// touching anything else, then calls create(). Lifetime, in phases:
//   load every library -> create() every plugin -> configure() each -> start() each
//   ... serve ... -> stop() each in reverse order -> destroy each -> unload the libraries.
// The host owns the objects create() returns and destroys them before unloading the
// library that made them.
#pragma once

#include <cstdint>
#include <memory>

#include "bib/export.hpp"
#include "bib/value.hpp"

namespace bib {

// Bumped whenever a type a plugin sees changes layout or meaning.
// 3: PersistencePlugin::read, read_after; Replica::event
// 4: checkpoints (ServicePlugin::save_state, restore_state; PersistencePlugin::save_checkpoint,
//    load_checkpoint, replay_since_checkpoint; Envelope::flat)
// 5: Context::metrics (bib/metrics.hpp)
// 6: Context::link_security (bib/link_security.hpp); SubscriberOptions::prepare;
//    ReplicationPlugin::on_availability
inline constexpr std::uint32_t kAbiVersion = 6;

enum class PluginKind : std::uint32_t { service, persistence, replication, discovery, component };
BIB_SDK_API const char* to_string(PluginKind kind) noexcept;

class Context;

// Base of every plugin. All member functions are called on the host's loop thread.
class BIB_SDK_API Plugin {
 public:
  virtual ~Plugin();

  // Phase 3: read ctx.config() (this plugin's own table) and keep ctx for later; look up
  // other plugins through ctx if needed (they all exist by now). Throw std::exception with a
  // clear message to refuse the configuration: the host stops before starting anything.
  virtual void configure(Context& ctx) = 0;
  // Phase 4: bind sockets, register them and timers with ctx.loop().
  virtual void start() {}
  // Shutdown, in reverse start order: unregister sockets and timers, flush, close.
  virtual void stop() {}
  // Facts for the server's `status` service (counts, coordinator, ...), added to the map.
  // Default: nothing.
  virtual void describe(Map& status) const;
};

using PluginFactory = std::unique_ptr<Plugin> (*)();

// What a plugin library exports. abi_version stays the first member in every ABI version,
// so the host can read it from a library built for any version.
struct PluginDescriptor {
  std::uint32_t abi_version;
  const char* name;
  PluginKind kind;
  const char* version;
  PluginFactory create;
};

// The exported symbol's name.
inline constexpr const char* kDescriptorSymbol = "bib_plugin_descriptor";

}  // namespace bib
