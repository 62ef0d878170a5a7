#include "plugin_set.hpp"

#include "bib/component.hpp"
#include "bib/discovery.hpp"

namespace bib::host {

namespace {

std::string in_quotes(const std::string& name) { return "'" + name + "'"; }

}  // namespace

PluginSet::~PluginSet() {
  stop();
  destroy();
}

void PluginSet::load(const std::vector<PluginEntry>& entries, const std::string& plugin_dir,
                     const std::string& base_dir) {
  for (const PluginEntry& entry : entries) {
    for (const LoadedPlugin& other : plugins_)
      if (other.entry.name == entry.name)
        throw PluginError("plugin " + in_quotes(entry.name) + " is listed twice (" + other.entry.where +
                          ", " + entry.where + ")");
    const std::string file = plugin_file(entry, plugin_dir, base_dir);
    plugins_.push_back(LoadedPlugin{entry, load_plugin_library(entry, file), nullptr, nullptr, false});
  }
  check_singletons();
}

void PluginSet::check_singletons() const {
  // The host commits through one persistence and one replication plugin and asks one
  // discovery plugin; two would make "which one" a guess.
  for (auto kind : {bib::PluginKind::discovery, bib::PluginKind::persistence, bib::PluginKind::replication}) {
    const LoadedPlugin* first = nullptr;
    for (const LoadedPlugin& p : plugins_) {
      if (p.descriptor().kind != kind) continue;
      if (first)
        throw PluginError(std::string("at most one ") + bib::to_string(kind) + " plugin may be loaded: " +
                          in_quotes(first->entry.name) + " and " + in_quotes(p.entry.name));
      first = &p;
    }
  }
}

void PluginSet::create() {
  for (LoadedPlugin& p : plugins_) {
    try {
      p.object = p.descriptor().create();
    } catch (const std::exception& e) {
      throw PluginError("plugin " + in_quotes(p.entry.name) + ": create failed: " + e.what());
    }
    if (!p.object) throw PluginError("plugin " + in_quotes(p.entry.name) + ": its factory returned nothing");
    attach(p);
  }
}

void PluginSet::attach(LoadedPlugin& p) {
  const std::string& name = p.entry.name;
  const bib::PluginKind kind = p.descriptor().kind;
  auto wrong_type = [&](const char* type) {
    return PluginError("plugin " + in_quotes(name) + " says it is a " + bib::to_string(kind) +
                       " plugin, but its object is not a " + type);
  };
  switch (kind) {
    case bib::PluginKind::service: {
      auto* service = dynamic_cast<bib::ServicePlugin*>(p.object.get());
      if (!service) throw wrong_type("bib::ServicePlugin");
      for (const std::string& s : service->services()) {
        auto [it, fresh] = services_.emplace(s, ServiceRoute{service, name});
        if (!fresh)
          throw PluginError("service " + in_quotes(s) + " is claimed by both plugin " +
                            in_quotes(it->second.plugin_name) + " and plugin " + in_quotes(name));
      }
      break;
    }
    case bib::PluginKind::discovery:
      discovery_ = dynamic_cast<bib::DiscoveryPlugin*>(p.object.get());
      if (!discovery_) throw wrong_type("bib::DiscoveryPlugin");
      break;
    case bib::PluginKind::persistence:
      persistence_ = dynamic_cast<bib::PersistencePlugin*>(p.object.get());
      if (!persistence_) throw wrong_type("bib::PersistencePlugin");
      break;
    case bib::PluginKind::replication:
      replication_ = dynamic_cast<bib::ReplicationPlugin*>(p.object.get());
      if (!replication_) throw wrong_type("bib::ReplicationPlugin");
      break;
    case bib::PluginKind::component:
      break;  // any bib::Plugin will do: it only needs configure/start/stop
  }
}

void PluginSet::configure(const ContextFactory& make_context) {
  for (LoadedPlugin& p : plugins_) {
    p.context = make_context(p.entry);
    try {
      p.object->configure(*p.context);
    } catch (const std::exception& e) {
      throw PluginError("plugin " + in_quotes(p.entry.name) + " refused its configuration: " + e.what());
    }
  }
}

void PluginSet::start() {
  for (LoadedPlugin& p : plugins_) {
    try {
      p.object->start();
    } catch (const std::exception& e) {
      throw PluginError("plugin " + in_quotes(p.entry.name) + " failed to start: " + e.what());
    }
    p.started = true;
    start_order_.push_back(&p);
  }
}

void PluginSet::stop() noexcept {
  while (!start_order_.empty()) {
    LoadedPlugin& p = *start_order_.back();
    start_order_.pop_back();
    log_.info("stopping plugin {}", in_quotes(p.entry.name));
    try {
      p.object->stop();
    } catch (const std::exception& e) {
      log_.error("plugin {} failed to stop: {}", in_quotes(p.entry.name), e.what());
    }
    p.started = false;
  }
}

void PluginSet::destroy() noexcept {
  services_.clear();
  discovery_ = nullptr;
  persistence_ = nullptr;
  replication_ = nullptr;
  // Objects may still use their contexts (loggers) while being destroyed, and their code
  // lives in the libraries: objects first, then contexts, then unload.
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) it->object.reset();
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) it->context.reset();
  plugins_.clear();
}

std::string PluginSet::summary() const {
  std::string out;
  for (const LoadedPlugin& p : plugins_) {
    if (!out.empty()) out += ", ";
    out += p.entry.name + " (" + bib::to_string(p.descriptor().kind) + " " + p.descriptor().version + ")";
  }
  return out.empty() ? "no plugins" : out;
}

bib::Plugin* PluginSet::find(std::string_view name) {
  for (LoadedPlugin& p : plugins_)
    if (p.entry.name == name) return p.object.get();
  return nullptr;
}

}  // namespace bib::host
