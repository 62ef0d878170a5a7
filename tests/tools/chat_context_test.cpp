// How bib finds a cluster bib-cluster started (the context file and the well-known pointer),
// and the completion script generated from bib's command definitions.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "chat_cluster.hpp"

namespace bib::test {
namespace {

using ChatContextTest = ChatClusterTest;

TEST_F(ChatContextTest, BibFindsTheClusterBibClusterStartedAndStatusWorksWithoutFlags) {
  up();
  // bib-cluster names its work directory absolute and normal (no "..").
  const std::string context = std::filesystem::path(workdir + "/context.json").lexically_normal().string();
  const std::string pointer = state_home + "/bulletinboard/current";
  ASSERT_TRUE(std::filesystem::is_symlink(pointer));
  EXPECT_EQ(std::filesystem::read_symlink(pointer).string(), context);

  ToolRun r = bib_found({"context"});
  ASSERT_EQ(r.code, 0) << r.all();
  EXPECT_NE(r.out.find("broker     " + broker() + "   context " + context), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("context    " + context + " ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("reference  tcp://" + base + ".1:5560"), std::string::npos) << r.out;
  // What tools/run.sh looks for before printing the short attach command.
  r = bib_found({"context", "--json"});
  EXPECT_NE(r.out.find("\"context\": \"" + context + "\""), std::string::npos) << r.out;

  r = bib_found({"-q", "status"});  // the reference from the context, not 127.0.0.1
  ASSERT_EQ(r.code, 0) << r.all();
  EXPECT_NE(r.out.find(server_direct(1)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("digest"), std::string::npos) << r.out;

  // The environment beats the context, a flag beats both.
  r = run_tool({"/usr/bin/env", "BIB_BROKER_ENDPOINT=tcp://127.0.0.1:1", bin_path("bib"), "context"}, workdir);
  EXPECT_NE(r.out.find("broker     tcp://127.0.0.1:1   env BIB_BROKER_ENDPOINT"), std::string::npos) << r.out;
  r = run_tool({"/usr/bin/env", "BIB_BROKER_ENDPOINT=tcp://127.0.0.1:1", bin_path("bib"), "--broker",
                "tcp://127.0.0.1:2", "context"},
               workdir);
  EXPECT_NE(r.out.find("broker     tcp://127.0.0.1:2   flag"), std::string::npos) << r.out;

  ASSERT_EQ(launcher({"down"}).code, 0);
  EXPECT_FALSE(std::filesystem::exists(context));
  EXPECT_FALSE(std::filesystem::is_symlink(pointer));
  r = bib_found({"context"});
  EXPECT_NE(r.out.find("broker     tcp://127.0.0.1:5555   default"), std::string::npos) << r.out;
}

// bib-cluster up --secure-clients writes the keys into the context: bib status asks the reference
// and the servers as keys/tools.key, and requests reach the broker's CURVE client port, with no flag.
TEST_F(ChatContextTest, ASecureClusterIsReachedThroughItsContextKeys) {
  const ToolRun started = launcher({"up", "--servers", "1", "--bots", "0", "--base", base, "--timeout", "40",
                                    "--secure-clients"});
  ASSERT_EQ(started.code, 0) << started.all();
  ToolRun r = bib_found({"context"});
  const std::string keys = std::filesystem::path(workdir + "/keys").lexically_normal().string();
  EXPECT_NE(r.out.find("keys       " + keys + "   (CURVE"), std::string::npos) << r.out;
  r = bib_found({"-q", "status"});
  ASSERT_EQ(r.code, 0) << r.all();
  EXPECT_NE(r.out.find(server_direct(1)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("digest"), std::string::npos) << r.out;
  r = bib_found({"-q", "login", "ana"});
  EXPECT_EQ(r.code, 0) << r.all();
  // Without the tools key nothing on the cluster links answers: said in one line, not a hang.
  r = run_tool({"/usr/bin/env", "BIB_KEYS_DIR=" + workdir + "/no-keys", bin_path("bib"), "-q", "status"}, workdir);
  EXPECT_NE(r.code, 0) << r.all();
  EXPECT_NE(r.err.find("cannot ask the reference over CURVE"), std::string::npos) << r.all();
}

TEST_F(ChatContextTest, ABadContextFileIsRefusedInOneLine) {
  const ToolRun r = bib_found({"--context", workdir + "/missing.json", "users"});
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_EQ(r.err, "bib: context " + workdir + "/missing.json: cannot be read\n");
}

// Like `nats context save/select`: endpoints kept under a name, used by name, made current.
TEST_F(ChatContextTest, ContextsSavedByNameAreUsedByNameAndMadeCurrent) {
  const std::string config = workdir + "/config";
  const std::string saved = config + "/bulletinboard/contexts/lab.json";
  auto bib_with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/env", "XDG_CONFIG_HOME=" + config, bin_path("bib")});
    return run_tool(args, workdir);
  };
  ToolRun r = bib_with({"--broker", "tcp://127.0.0.9:5555", "--proxy", "tcp://127.0.0.9:5558", "context", "save", "lab"});
  ASSERT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(r.out.rfind("saved context lab in " + saved + " (broker tcp://127.0.0.9:5555", 0), 0u) << r.out;
  EXPECT_EQ(bib_with({"context", "list"}).out, "lab\n");

  r = bib_with({"--context", "lab", "context"});
  EXPECT_NE(r.out.find("proxy      tcp://127.0.0.9:5558   context " + saved), std::string::npos) << r.all();

  ASSERT_EQ(bib_with({"context", "use", "lab"}).code, 0);
  r = bib_with({"context"});  // no flag: the current context is the saved one now
  EXPECT_NE(r.out.find("broker     tcp://127.0.0.9:5555   context " + saved), std::string::npos) << r.all();

  r = bib_with({"context", "use", "nowhere"});
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_EQ(r.err, "bib: context " + config + "/bulletinboard/contexts/nowhere.json: cannot be read (bib context list "
                   "shows the saved ones)\n");
  r = bib_with({"context", "save"});
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_EQ(r.err, "bib context save: give a NAME (letters, digits, '-', '.'; no '/')\n");
}

TEST(BibCompletion, BashCompletesSubcommandsOptionsAndFiles) {
  const std::string dir = make_temp_dir("completion");
  const ToolRun script = run_tool({bin_path("bib"), "completion", "bash"}, dir);
  ASSERT_EQ(script.code, 0) << script.all();
  std::ofstream(dir + "/bib.bash") << script.out;
  // Completes as bash does on Tab: COMP_WORDS and COMP_CWORD in, COMPREPLY out.
  auto complete = [&](const std::string& words, int index) {
    const std::string program = "source " + dir + "/bib.bash; COMP_WORDS=(" + words + "); COMP_CWORD=" +
                                std::to_string(index) + "; _bib; echo \"${COMPREPLY[*]}\"";
    const ToolRun r = run_tool({"/bin/bash", "-c", program}, dir);
    EXPECT_EQ(r.code, 0) << r.all();
    return r.out;
  };
  EXPECT_EQ(complete("bib hist", 1), "history\n");
  EXPECT_EQ(complete("bib --broker tcp://x:1 history --li", 4), "--limit --line\n");
  EXPECT_EQ(complete("bib subscribe --c", 2), "--context --count\n");
  EXPECT_EQ(complete("bib completion b", 2), "bash\n");
  EXPECT_EQ(complete("bib --context " + dir + "/bib.ba", 2), dir + "/bib.bash\n");
  EXPECT_EQ(complete("bib --broker ''", 2), "\n");  // an option's value: nothing to offer
  const ToolRun wrong = run_tool({bin_path("bib"), "completion", "fish"}, dir);
  EXPECT_EQ(wrong.code, 2) << wrong.all();
}

}  // namespace
}  // namespace bib::test
