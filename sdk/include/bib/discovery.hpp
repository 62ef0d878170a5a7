// Discovery plugins answer "who am I, who are my peers" (docs/architecture.md).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bib/export.hpp"
#include "bib/plugin.hpp"

namespace bib {

struct Peer {
  std::string name;
  int rank = 0;
  std::string address;  // host or IP that the peer's server ports (5561, 5562) listen on
};

class BIB_SDK_API DiscoveryPlugin : public Plugin {
 public:
  // This node's rank, once known.
  virtual std::optional<int> rank() const = 0;
  // Live servers other than this one, as last known.
  virtual std::vector<Peer> peers() const = 0;
  // Called on the loop thread whenever rank() or peers() change.
  virtual void on_change(std::function<void()> fn) = 0;
};

}  // namespace bib
