// Where the client finds the cluster: flags > environment > context file > defaults, the
// context named by --context or BIB_CONTEXT or found through the well-known pointer.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "bib_cli/client_context.hpp"
#include "bib_cli/connection.hpp"
#include "support/process.hpp"

namespace bib::cli {
namespace {

// Sets an environment variable for one test and puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class ClientContextTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  std::string dir = test::make_temp_dir("client-context");
  // No environment of the machine running the tests leaks in.
  ScopedEnv state{"XDG_STATE_HOME", dir + "/state"};
  ScopedEnv config{"XDG_CONFIG_HOME", dir + "/config"};
  ScopedEnv broker_env{kBrokerEnv, ""};
  ScopedEnv proxy_env{kProxyEnv, ""};
  ScopedEnv reference_env{kReferenceEnv, ""};
  ScopedEnv context_env{kContextEnv, ""};
};

TEST_F(ClientContextTest, WithNothingTheDefaultsAnswer) {
  Connection c;
  EXPECT_FALSE(c.resolve());
  EXPECT_EQ(c.broker, kDefaultBroker);
  EXPECT_EQ(c.reference, kDefaultReference);
  EXPECT_EQ(c.origin.proxy, "default");
  EXPECT_EQ(c.context_file, "");
}

TEST_F(ClientContextTest, TheCurrentPointerIsFoundAndFlagsAndEnvironmentBeatIt) {
  const std::string file = write("context.json", R"({"name": "run", "broker": "tcp://127.0.9.2:5555",
      "proxy": "tcp://127.0.9.3:5558", "reference": "tcp://127.0.9.1:5560", "workdir": "/x"})");
  EXPECT_EQ(current_context_pointer(), dir + "/state/bulletinboard/current");
  std::filesystem::create_directories(dir + "/state/bulletinboard");
  std::filesystem::create_symlink(file, current_context_pointer());
  ScopedEnv proxy{kProxyEnv, "tcp://10.0.0.1:5558"};
  Connection c;
  c.broker = "tcp://flag:5555";
  EXPECT_FALSE(c.resolve());
  EXPECT_EQ(c.broker, "tcp://flag:5555");
  EXPECT_EQ(c.origin.broker, "flag");
  EXPECT_EQ(c.proxy, "tcp://10.0.0.1:5558");
  std::string from_env = "env ";  // built in steps: GCC 12 at -O2 warns falsely on "..." + s
  from_env += kProxyEnv;
  EXPECT_EQ(c.origin.proxy, from_env);
  EXPECT_EQ(c.reference, "tcp://127.0.9.1:5560");
  EXPECT_EQ(c.origin.reference, "context " + file);  // the pointer's target, as bib-cluster wrote it
  EXPECT_EQ(c.context_name, "run");
}

TEST_F(ClientContextTest, ANamedContextWinsOverThePointerAndMissingKeysFallThrough) {
  const std::string file = write("mine.json", R"({"broker": "tcp://127.0.8.2:5555"})");
  ScopedEnv named{kContextEnv, file};
  Connection c;
  EXPECT_FALSE(c.resolve());
  EXPECT_EQ(c.broker, "tcp://127.0.8.2:5555");
  EXPECT_EQ(c.proxy, kDefaultProxy);
  EXPECT_EQ(c.context_file, file);
}

TEST_F(ClientContextTest, ABadNamedContextIsAnErrorNamingTheFile) {
  Connection missing;
  missing.context_file = dir + "/nowhere.json";
  auto problem = missing.resolve();
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->message, "context " + dir + "/nowhere.json: cannot be read");
  const std::string wrong = write("wrong.json", R"({"broker": 5555})");
  Connection typed;
  typed.context_file = wrong;
  problem = typed.resolve();
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->message,
            "context " + wrong + ": 'broker' must be a non-empty string such as \"tcp://127.0.0.1:5555\"");
  EXPECT_FALSE(read_client_context(write("list.json", "[1]")));
  EXPECT_FALSE(read_client_context(write("text.json", "broker=x")));
}

TEST_F(ClientContextTest, ASavedContextIsNamedAndWrittenWholeAndMadeCurrent) {
  EXPECT_EQ(context_path("lab"), dir + "/config/bulletinboard/contexts/lab.json");
  EXPECT_EQ(context_path("run/context.json"), "run/context.json");
  EXPECT_EQ(context_path("mine.json"), "mine.json");
  ClientContext lab{"", "lab", "tcp://127.0.0.9:5555", std::nullopt, "tcp://127.0.0.9:5560", "/srv/lab/keys",
                    std::nullopt, std::nullopt};
  ASSERT_TRUE(write_client_context(context_path("lab"), lab));
  EXPECT_EQ(saved_context_names(), std::vector<std::string>{"lab"});
  auto read = read_client_context(context_path("lab"));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read.value().name, "lab");
  EXPECT_EQ(read.value().broker, lab.broker);
  EXPECT_FALSE(read.value().proxy);
  EXPECT_EQ(read.value().keys, lab.keys);  // a secure cluster's keys folder travels with it
  EXPECT_FALSE(read.value().broker_key);
  EXPECT_FALSE(read_client_context(write("bad-keys.json", R"({"keys": 5})")));
  ASSERT_TRUE(point_current_at(context_path("lab")));
  ASSERT_TRUE(point_current_at(context_path("lab")));  // again: replaced, not refused
  Connection c;
  EXPECT_FALSE(c.resolve());
  EXPECT_EQ(c.reference, "tcp://127.0.0.9:5560");
  EXPECT_EQ(c.origin.reference, "context " + context_path("lab"));
  EXPECT_EQ(c.keys_dir, "/srv/lab/keys");
  EXPECT_EQ(c.proxy, kDefaultProxy);
}

TEST_F(ClientContextTest, ABrokenOrDanglingPointerIsSkipped) {
  std::filesystem::create_directories(dir + "/state/bulletinboard");
  std::filesystem::create_symlink(dir + "/gone.json", current_context_pointer());
  Connection dangling;
  EXPECT_FALSE(dangling.resolve());
  EXPECT_EQ(dangling.broker, kDefaultBroker);
  EXPECT_EQ(dangling.notice, "");
  std::filesystem::remove(current_context_pointer());
  std::filesystem::create_symlink(write("broken.json", "{"), current_context_pointer());
  Connection broken;
  EXPECT_FALSE(broken.resolve());
  EXPECT_EQ(broken.broker, kDefaultBroker);
  EXPECT_NE(broken.notice.find("not JSON"), std::string::npos) << broken.notice;
}

}  // namespace
}  // namespace bib::cli
