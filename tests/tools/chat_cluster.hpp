// A ToolsClusterTest whose processes see a state directory of the test's own
// (XDG_STATE_HOME), so the context `bib-cluster up` points at and the one `bib` finds are this
// test's, never the user's ~/.local/state/bulletinboard/current.
#pragma once

#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tools_cluster.hpp"

namespace bib::test {

class ChatClusterTest : public ToolsClusterTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  // `bib ARGS` without endpoint flags: it finds the cluster by its context.
  ToolRun bib_found(const std::vector<std::string>& args);
  // Publishes as `user` to `channel` until `shown()` says the post arrived (a subscription
  // reaches the server on its own time, so the first posts may go unseen), at most 30 s.
  bool publish_until(const std::string& user, const std::string& channel, const std::string& text,
                     const std::function<bool(const std::string& text)>& shown);

  std::string state_home;

 private:
  std::optional<std::string> saved_state_home_;
};

}  // namespace bib::test
