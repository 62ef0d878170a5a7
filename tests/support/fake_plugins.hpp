// Stand-ins for the plugins a plugin under test finds through its Context (see
// fake_context.hpp): a discovery plugin the test steers, and a directory of names (what the
// login and channel plugins are to publish and message). One definition for every suite.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bib/directory.hpp"
#include "bib/discovery.hpp"
#include "bib/plugin.hpp"

namespace bib::test {

// A discovery plugin whose rank and peers the test sets. set() changes the peers and calls
// every on_change callback, as a real discovery plugin does on the loop thread; after changing
// my_rank or list by hand, changed() does the calling.
class FakeDiscovery final : public DiscoveryPlugin {
 public:
  void configure(Context&) override {}
  std::optional<int> rank() const override { return my_rank; }
  std::vector<Peer> peers() const override { return list; }
  void on_change(std::function<void()> fn) override { callbacks.push_back(std::move(fn)); }

  void set(std::vector<Peer> peers) {
    list = std::move(peers);
    changed();
  }
  void changed() {
    for (auto& fn : callbacks) fn();
  }

  std::optional<int> my_rank = 1;  // nullopt: not registered yet (discovery-reference at start)
  std::vector<Peer> list;
  std::vector<std::function<void()>> callbacks;
};

// Stands in for the login or channel plugin: a plugin that keeps a directory of names.
class FakeDirectory final : public Plugin, public NameDirectory {
 public:
  void configure(Context&) override {}
  bool contains(std::string_view name) const override { return names.contains(std::string(name)); }
  std::set<std::string> names;
};

}  // namespace bib::test
