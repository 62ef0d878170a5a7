// bib-bench against a one-server cluster, briefly, so that the tool never rots: every workload
// runs and is answered, the limits are measured in the same run and the ratios printed,
// sampled writes get a replication lag, growth windows report the server's memory, the JSON holds what the table says, and an open-loop
// run keeps its rate. Its figures are checked
// by running it (docs/benchmarks.md), never here.
#include <gtest/gtest.h>

#include "bib/json.hpp"
#include "tools_cluster.hpp"

namespace bib::test {
namespace {

using BenchTest = ToolsClusterTest;

TEST_F(BenchTest, AMixedRunAnswersEveryOperationAndPrintsRatiosToTheLimits) {
  up();
  const std::string json = workdir + "/bench.json";
  const ToolRun r = run_tool({bin_path("bib-bench"), "--broker", broker(), "--clients", "2", "--windows", "30,80",
                              "--workload", "mix", "--floor-requests", "50", "--fsync-samples", "10", "--data-dir",
                              workdir, "--server", server_direct(1), "--lag-every", "5", "--json", json},
                             workdir, 120);
  ASSERT_EQ(r.code, 0) << r.all();
  for (const char* op : {"publish", "message", "history", "raw echo", "append + fdatasync"})
    EXPECT_NE(r.out.find(op), std::string::npos) << op << "\n" << r.out;
  EXPECT_NE(r.out.find("of the raw echo's throughput"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("converged"), std::string::npos) << r.out;

  Result<Value> parsed = parse_json(read_text(json));
  ASSERT_TRUE(parsed.ok()) << read_text(json);
  const Value& doc = parsed.value();
  std::int64_t answered = 0;
  for (const Value& row : doc.get_array("results")) {
    EXPECT_EQ(row.get_int("errors"), 0) << row.to_string();
    EXPECT_GT(row.get_double("p50_ms"), 0) << row.to_string();
    EXPECT_LE(row.get_double("p50_ms"), row.get_double("p99_ms"));
    if (row.get_string("operation") != "all") answered += row.get_int("count");
  }
  EXPECT_EQ(answered, 80) << "80 requests in two windows, each answered once";
  // Growth: each window apart, with the server's memory at its end.
  ASSERT_EQ(doc.get_array("windows").size(), 2u);
  EXPECT_EQ(doc.get_array("windows")[0].get_int("count"), 30);
  EXPECT_EQ(doc.get_array("windows")[1].get_int("count"), 50);
  EXPECT_GT(doc.get_array("windows")[1].get_array("memory_rss").at(0).as_int(), 1 << 20);
  EXPECT_EQ(doc.get_array("results").back().get_string("operation"), "all");
  EXPECT_EQ(doc.get_array("results").back().get_int("count"), 80);
  ASSERT_EQ(doc.get_array("limits").size(), 2u);
  EXPECT_EQ(doc.get_array("limits")[0].get_int("count"), 100);
  EXPECT_EQ(doc.get_array("limits")[1].get_int("count"), 10);
  EXPECT_TRUE(doc.at("ratios").as_map().count("publish"));
  // Sampled writes: each shown by the server, with a lag measured.
  EXPECT_EQ(doc.at("lag").get_int("errors"), 0) << doc.at("lag").to_string();
  EXPECT_GE(doc.at("lag").get_int("count"), 2) << doc.at("lag").to_string();
}

TEST_F(BenchTest, AnOpenLoopRunSendsAtItsRateForItsDuration) {
  up();
  const ToolRun r = run_tool({bin_path("bib-bench"), "--broker", broker(), "--clients", "2", "--duration", "2",
                              "--rate", "20", "--workload", "login", "--no-floor", "--json", "-"},
                             workdir, 60);
  ASSERT_EQ(r.code, 0) << r.all();
  Result<Value> parsed = parse_json(r.out);
  ASSERT_TRUE(parsed.ok()) << r.all();
  const Value& login = parsed.value().get_array("results").at(0);
  EXPECT_EQ(login.get_string("operation"), "login");
  EXPECT_EQ(login.get_int("count"), 40) << "20/s for 2 s, however fast the cluster answers";
}

TEST(BenchRefusals, AnUnknownWorkloadIsRefusedByName) {
  const std::string dir = make_temp_dir("bench");
  const ToolRun r = run_tool({bin_path("bib-bench"), "--workload", "everything"}, dir, 30);
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_NE(r.err.find("unknown workload 'everything'"), std::string::npos) << r.all();
}

}  // namespace
}  // namespace bib::test
