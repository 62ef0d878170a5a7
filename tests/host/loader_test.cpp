// The plugin loader and the plugin phases, in-process against the fixture plugins.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>
#include <string>

#include "bib/plugin.hpp"
#include "host_context.hpp"
#include "plugin_set.hpp"
#include "runtime.hpp"
#include "support/process.hpp"

namespace {

using bib::host::PluginEntry;
using bib::host::PluginError;
using bib::host::PluginSet;

PluginEntry entry(const std::string& name, bib::Map options = {}) {
  return PluginEntry{name, "", bib::Value(std::move(options)), "test.toml:1"};
}

std::string fixture_file(const std::string& name) { return bib::test::plugin_dir() + "/bib-" + name + ".so"; }

class LoaderTest : public ::testing::Test {
 protected:
  LoaderTest()
      : logging_(spdlog::level::info, spdlog::level::off),
        runtime_(settings(), logging_),
        sink_(std::make_shared<spdlog::sinks::ostream_sink_st>(log_text_)),
        log_("host", sink_),
        plugins_(log_) {}

  static bib::host::HostSettings settings() {
    bib::host::HostSettings s;
    s.name = "loader-node";
    return s;
  }

  // load -> create -> configure, as bib-host --check does.
  void prepare(const std::vector<PluginEntry>& entries) {
    plugins_.load(entries, bib::test::plugin_dir());
    plugins_.create();
    plugins_.configure([this](const PluginEntry& e) {
      return std::make_unique<bib::host::HostContext>(runtime_, e, plugins_);
    });
  }

  // The PluginError message of f(), or "" if it did not throw one.
  template <class F>
  static std::string error_of(F&& f) {
    try {
      f();
    } catch (const PluginError& e) {
      return e.what();
    }
    return "";
  }

  bib::host::Logging logging_;
  bib::host::Runtime runtime_;
  std::ostringstream log_text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_st> sink_;
  spdlog::logger log_;
  PluginSet plugins_;  // last: destroyed first, before the runtime its contexts use
};

TEST_F(LoaderTest, GoodPluginLoadsAndRegistersItsServices) {
  prepare({entry("fixture-good", {{"colour", "blue"}})});
  ASSERT_EQ(plugins_.plugins().size(), 1u);
  const auto& d = plugins_.plugins()[0].descriptor();
  EXPECT_EQ(d.abi_version, bib::kAbiVersion);
  EXPECT_EQ(d.kind, bib::PluginKind::service);
  EXPECT_STREQ(d.version, "1.2.3");
  EXPECT_EQ(plugins_.summary(), "fixture-good (service 1.2.3)");
  for (const char* s : {"echo", "boom", "count", "info"}) EXPECT_TRUE(plugins_.services().contains(s)) << s;
  EXPECT_NE(plugins_.find("fixture-good"), nullptr);
  EXPECT_EQ(plugins_.find("nope"), nullptr);

  // The context hands the plugin its own options and the node name.
  auto& service = *plugins_.services().at("info").plugin;
  auto outcome = service.handle(bib::Request{"info", bib::Map{}, "test"});
  const auto& data = std::get<bib::Reply>(outcome).data;
  EXPECT_EQ(data.get_string("node"), "loader-node");
  EXPECT_EQ(data.at("config").get_string("colour"), "blue");

  plugins_.start();
  plugins_.stop();
  plugins_.destroy();
  EXPECT_NE(log_text_.str().find("stopping plugin 'fixture-good'"), std::string::npos);
}

TEST_F(LoaderTest, MissingFileIsOneLineWithThePath) {
  const std::string err = error_of([&] { prepare({entry("fixture-absent")}); });
  EXPECT_EQ(err, "test.toml:1: plugin 'fixture-absent': no such file " + fixture_file("fixture-absent"));
}

TEST_F(LoaderTest, WrongAbiIsRefusedNamingTheFileAndBothVersions) {
  // The fixture's factory aborts: reaching it would kill the test.
  const std::string err = error_of([&] { prepare({entry("fixture-badabi")}); });
  EXPECT_EQ(err, "plugin " + fixture_file("fixture-badabi") + ": ABI version " +
                     std::to_string(bib::kAbiVersion + 1) + ", host expects " + std::to_string(bib::kAbiVersion));
}

TEST_F(LoaderTest, DescriptorNameMustMatchTheEntry) {
  PluginEntry e = entry("renamed");
  e.path = fixture_file("fixture-good");
  const std::string err = error_of([&] { prepare({e}); });
  EXPECT_NE(err.find("is named 'fixture-good', but the entry says 'renamed'"), std::string::npos) << err;
}

TEST_F(LoaderTest, TwoPluginsClaimingOneServiceAreRefused) {
  const std::string err = error_of([&] { prepare({entry("fixture-good"), entry("fixture-dupservice")}); });
  EXPECT_EQ(err, "service 'echo' is claimed by both plugin 'fixture-good' and plugin 'fixture-dupservice'");
}

TEST_F(LoaderTest, SamePluginListedTwiceIsRefused) {
  const std::string err = error_of([&] { prepare({entry("fixture-good"), entry("fixture-good")}); });
  EXPECT_NE(err.find("plugin 'fixture-good' is listed twice"), std::string::npos) << err;
}

TEST_F(LoaderTest, ConfigureThatThrowsNamesThePlugin) {
  const std::string err = error_of([&] { prepare({entry("fixture-good", {{"fail_configure", true}})}); });
  EXPECT_EQ(err, "plugin 'fixture-good' refused its configuration: fail_configure is set");
}

TEST_F(LoaderTest, StartThatThrowsIsReportedAndTheStartedOnesStop) {
  prepare({entry("fixture-good"), entry("fixture-startthrows"), entry("fixture-timers")});
  const std::string err = error_of([&] { plugins_.start(); });
  EXPECT_EQ(err, "plugin 'fixture-startthrows' failed to start: cannot start: fixture failure");
  plugins_.stop();
  const std::string log = log_text_.str();
  EXPECT_NE(log.find("stopping plugin 'fixture-good'"), std::string::npos) << log;
  // Never started, so never stopped.
  EXPECT_EQ(log.find("stopping plugin 'fixture-startthrows'"), std::string::npos) << log;
  EXPECT_EQ(log.find("stopping plugin 'fixture-timers'"), std::string::npos) << log;
}

TEST_F(LoaderTest, PluginTimersRunOnTheHostLoop) {
  prepare({entry("fixture-timers")});
  plugins_.start();
  auto& service = *plugins_.services().at("timers").plugin;
  auto report = [&] { return std::get<bib::Reply>(service.handle(bib::Request{"timers", bib::Map{}, "t"})).data; };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (report().get_int("ticks") < 3 && std::chrono::steady_clock::now() < deadline)
    runtime_.loop.run_once(std::chrono::milliseconds(100));
  const bib::Value r = report();
  EXPECT_GE(r.get_int("ticks"), 3);
  EXPECT_EQ(r.get_int("ends"), r.get_int("ticks"));
  EXPECT_TRUE(r.get_bool("once"));
  EXPECT_FALSE(r.get_bool("cancelled_fired"));
  plugins_.stop();
}

TEST_F(LoaderTest, CallbacksLeftInTheLoopAreDroppedBeforeUnload) {
  // fixture-timers' one-shot 20 ms timer is still pending when it is destroyed: its code is in
  // the plugin library, so the host must drop it before unloading (else: a crash here).
  prepare({entry("fixture-timers")});
  plugins_.start();
  plugins_.stop();
  // The loop never ran: the one-shot timer has not fired, so it is still registered.
  auto& service = *plugins_.services().at("timers").plugin;
  const bib::Value before = std::get<bib::Reply>(service.handle(bib::Request{"timers", bib::Map{}, "t"})).data;
  ASSERT_FALSE(before.get_bool("once"));
  ASSERT_EQ(before.get_int("ticks"), 0);

  plugins_.destroy();
  // Nothing registered by the plugin is left in the loop once it is unloaded.
  EXPECT_EQ(runtime_.loop.drop_owner("fixture-timers"), 0u);

  // The loop runs past the dropped timer's deadline: a host timer added after it (so due after
  // it) fires, and the plugin's never runs (it would jump into the unmapped library).
  bool sentinel = false;
  runtime_.loop.add_timer(std::chrono::milliseconds(40), [&] { sentinel = true; });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!sentinel && std::chrono::steady_clock::now() < deadline)
    runtime_.loop.run_once(std::chrono::milliseconds(100));
  EXPECT_TRUE(sentinel);
}

}  // namespace
