#include "chat_cluster.hpp"

#include "support/wait.hpp"

namespace bib::test {

void ChatClusterTest::SetUp() {
  if (const char* old = std::getenv("XDG_STATE_HOME")) saved_state_home_ = old;
  state_home = workdir + "/state";
  ::setenv("XDG_STATE_HOME", state_home.c_str(), 1);
}

void ChatClusterTest::TearDown() {
  ToolsClusterTest::TearDown();
  if (saved_state_home_) ::setenv("XDG_STATE_HOME", saved_state_home_->c_str(), 1);
  else ::unsetenv("XDG_STATE_HOME");
}

ToolRun ChatClusterTest::bib_found(const std::vector<std::string>& args) {
  std::vector<std::string> argv{bin_path("bib")};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_tool(argv, workdir);
}

bool ChatClusterTest::publish_until(const std::string& user, const std::string& channel, const std::string& text,
                                    const std::function<bool(const std::string& text)>& shown) {
  int tries = 0;
  return wait_until(
      [&] {
        const std::string numbered = text + " " + std::to_string(++tries);
        if (bib({"-q", "publish", "-u", user, channel, numbered}).code != 0) return false;
        return wait_until([&] { return shown(numbered); }, std::chrono::milliseconds(700));
      },
      std::chrono::seconds(30), std::chrono::milliseconds(0));
}

}  // namespace bib::test
