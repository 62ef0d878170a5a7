// Which service plugin answers which request service ("login" -> plugin "users", ...).
// Built by PluginSet::create(), which refuses two plugins claiming one service.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "bib/service.hpp"

namespace bib::host {

struct ServiceRoute {
  bib::ServicePlugin* plugin = nullptr;
  std::string plugin_name;  // its config name, for logs
};

using ServiceTable = std::map<std::string, ServiceRoute, std::less<>>;

}  // namespace bib::host
