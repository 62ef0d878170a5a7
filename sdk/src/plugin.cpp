// Out-of-line key functions: the vtables and typeinfo of the SDK's interfaces live in
// libbib-sdk.so, one copy shared by the host and every plugin.
#include "bib/plugin.hpp"

#include <stdexcept>

#include "bib/context.hpp"
#include "bib/event_loop.hpp"
#include "bib/persistence.hpp"
#include "bib/service.hpp"

namespace bib {

const char* to_string(PluginKind kind) noexcept {
  switch (kind) {
    case PluginKind::service: return "service";
    case PluginKind::persistence: return "persistence";
    case PluginKind::replication: return "replication";
    case PluginKind::discovery: return "discovery";
    case PluginKind::component: return "component";
  }
  return "unknown";  // a descriptor from a newer ABI
}

Plugin::~Plugin() = default;
Context::~Context() = default;

const LinkSecurity& Context::link_security() const {
  static const LinkSecurity plain;
  return plain;
}
EventLoop::~EventLoop() = default;

Value ServicePlugin::apply(const Event& /*event*/, ApplyMode /*mode*/) { return Value{}; }

std::optional<std::string> ServicePlugin::save_state() const { return std::nullopt; }

void ServicePlugin::restore_state(std::string_view /*bytes*/) {
  throw std::logic_error("this service plugin keeps no checkpoint (save_state)");
}

bool PersistencePlugin::save_checkpoint(std::string_view /*host_state*/) { return false; }

std::optional<std::string> PersistencePlugin::load_checkpoint() { return std::nullopt; }

void PersistencePlugin::replay_since_checkpoint(const std::function<void(const Event&)>& /*fn*/) {
  throw std::logic_error("this persistence plugin keeps no checkpoint (load_checkpoint)");
}

void Plugin::describe(Map& /*status*/) const {}

}  // namespace bib
