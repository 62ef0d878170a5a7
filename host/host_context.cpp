#include "host_context.hpp"

namespace bib::host {

HostContext::HostContext(Runtime& runtime, const PluginEntry& entry, PluginDirectory& plugins)
    : runtime_(runtime),
      // The contract promises a map even when the entry has no options.
      config_(entry.options.is_map() ? entry.options : bib::Value(bib::Map{})),
      log_(runtime.logging.make(entry.name)),
      loop_(runtime.loop, entry.name),
      plugins_(plugins) {}

HostContext::~HostContext() {
  if (const std::size_t n = loop_.drop_all())
    log_->debug("dropped {} loop callback(s) still registered at unload", n);
}

void HostContext::publish(std::string_view topic, const bib::Envelope& message) {
  runtime_.publisher.publish(topic, message);
}

}  // namespace bib::host
