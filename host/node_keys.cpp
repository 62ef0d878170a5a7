#include "node_keys.hpp"

#include <stdexcept>

namespace bib::host {

bib::LinkSecurity load_link_security(const HostSettings& settings) {
  if (!settings.cluster_curve() && !settings.clients_curve()) return {};
  if (!bib::curve_available()) throw std::runtime_error("host.security: this libzmq was built without CURVE");
  return bib::LinkSecurity(bib::read_curve_secret_key(settings.own_key_file()), settings.keys_dir,
                           settings.cluster_curve(), settings.clients_curve());
}

}  // namespace bib::host
