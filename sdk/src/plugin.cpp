// Out-of-line key functions: the vtables and typeinfo of the SDK's interfaces live in
// libbib-sdk.so, one copy shared by the host and every plugin.
#include "bib/plugin.hpp"

#include "bib/context.hpp"
#include "bib/event_loop.hpp"
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
EventLoop::~EventLoop() = default;

Value ServicePlugin::apply(const Event& /*event*/, ApplyMode /*mode*/) { return Value{}; }
void Plugin::describe(Map& /*status*/) const {}

}  // namespace bib
