// This node's LinkSecurity from its [host] settings (docs/security.md): reads its key file
// (host.key_file, by default <host.keys_dir>/<host.name>.key) when either setting asks for
// CURVE. Throws std::runtime_error with the reason (no CURVE in this libzmq, an unreadable key).
#pragma once

#include "bib/link_security.hpp"
#include "config.hpp"

namespace bib::host {

bib::LinkSecurity load_link_security(const HostSettings& settings);

}  // namespace bib::host
