// Every plugin of one process, through its lifetime in phases (docs/architecture.md):
//   load()      open each library, check its descriptor (ABI first), at most one discovery,
//               persistence and replication plugin
//   create()    call each factory; build the service table (two plugins claiming one
//               service are refused)
//   configure() give each its own context; they can find one another from here on
//   start()     in config order; throws at the first failure (the caller logs it and calls
//               stop(), which stops the ones already started)
//   stop()      the started ones, in reverse start order
//   destroy()   every object, then every context, then unload the libraries
// Each phase throws PluginError with one line; the destructor runs whatever is left.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bib/context.hpp"
#include "bib/logger.hpp"
#include "bib/persistence.hpp"
#include "bib/replication.hpp"
#include "config.hpp"
#include "host_context.hpp"
#include "plugin_loader.hpp"
#include "service_table.hpp"

namespace bib::host {

struct LoadedPlugin {
  PluginEntry entry;
  PluginLibrary library;                   // destroyed last: the code of everything below
  std::unique_ptr<bib::Context> context;
  std::unique_ptr<bib::Plugin> object;
  bool started = false;

  const bib::PluginDescriptor& descriptor() const { return *library.descriptor; }
};

class PluginSet final : public PluginDirectory {
 public:
  using ContextFactory = std::function<std::unique_ptr<bib::Context>(const PluginEntry&)>;

  explicit PluginSet(spdlog::logger& log) : log_(log) {}
  ~PluginSet() override;
  PluginSet(const PluginSet&) = delete;
  PluginSet& operator=(const PluginSet&) = delete;

  // base_dir: where relative entry paths start (the config file's directory).
  void load(const std::vector<PluginEntry>& entries, const std::string& plugin_dir,
            const std::string& base_dir = "");
  void create();
  void configure(const ContextFactory& make_context);
  void start();
  void stop() noexcept;
  void destroy() noexcept;

  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }
  const ServiceTable& services() const { return services_; }
  // "ping (service 1.0.0), users (service 1.0.0)"
  std::string summary() const;

  bib::Plugin* find(std::string_view name) override;
  bib::DiscoveryPlugin* discovery() override { return discovery_; }
  bib::PersistencePlugin* persistence() { return persistence_; }
  bib::ReplicationPlugin* replication() { return replication_; }

 private:
  void check_singletons() const;
  void attach(LoadedPlugin& p);

  spdlog::logger& log_;
  std::vector<LoadedPlugin> plugins_;
  std::vector<LoadedPlugin*> start_order_;  // the started ones, in start order
  ServiceTable services_;
  bib::DiscoveryPlugin* discovery_ = nullptr;
  bib::PersistencePlugin* persistence_ = nullptr;
  bib::ReplicationPlugin* replication_ = nullptr;
};

}  // namespace bib::host
