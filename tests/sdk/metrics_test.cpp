// bib::Metrics renders the Prometheus text format 0.0.4 exactly, and computed series end with
// their registration handle.
#include "bib/metrics.hpp"

#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

namespace {

TEST(Metrics, EmptyRegistryRendersNothing) { EXPECT_EQ(bib::Metrics().render(), ""); }

TEST(Metrics, CountersAndGaugesWithAndWithoutLabels) {
  bib::Metrics metrics;
  metrics.counter("bib_requests_total", "Requests handled.", {{"service", "ping"}}).inc();
  metrics.counter("bib_requests_total", "ignored: the first help stays", {{"service", "login"}}).inc(2);
  metrics.counter("bib_requests_total", "", {{"service", "ping"}}).inc();
  metrics.gauge("bib_queue_depth", "Requests waiting.").set(7);
  metrics.gauge("bib_offset_seconds", "Offset.").set(-0.25);

  EXPECT_EQ(metrics.render(),
            "# HELP bib_offset_seconds Offset.\n"
            "# TYPE bib_offset_seconds gauge\n"
            "bib_offset_seconds -0.25\n"
            "# HELP bib_queue_depth Requests waiting.\n"
            "# TYPE bib_queue_depth gauge\n"
            "bib_queue_depth 7\n"
            "# HELP bib_requests_total Requests handled.\n"
            "# TYPE bib_requests_total counter\n"
            "bib_requests_total{service=\"login\"} 2\n"
            "bib_requests_total{service=\"ping\"} 2\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  bib::Metrics metrics;
  bib::Histogram& h = metrics.histogram("bib_flush_seconds", "Flush time.", {{"plugin", "json"}}, {0.25, 0.5, 1});
  h.observe(0.125);
  h.observe(0.25);  // on the bound: le is "less or equal"
  h.observe(0.75);
  h.observe(3);

  EXPECT_EQ(metrics.render(),
            "# HELP bib_flush_seconds Flush time.\n"
            "# TYPE bib_flush_seconds histogram\n"
            "bib_flush_seconds_bucket{plugin=\"json\",le=\"0.25\"} 2\n"
            "bib_flush_seconds_bucket{plugin=\"json\",le=\"0.5\"} 2\n"
            "bib_flush_seconds_bucket{plugin=\"json\",le=\"1\"} 3\n"
            "bib_flush_seconds_bucket{plugin=\"json\",le=\"+Inf\"} 4\n"
            "bib_flush_seconds_sum{plugin=\"json\"} 4.125\n"
            "bib_flush_seconds_count{plugin=\"json\"} 4\n");
}

TEST(Metrics, HistogramWithoutLabelsAndDefaultBuckets) {
  bib::Metrics metrics;
  metrics.histogram("h", "").observe(0.0002);
  const std::string text = metrics.render();
  EXPECT_NE(text.find("h_bucket{le=\"0.0001\"} 0\nh_bucket{le=\"0.00025\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{le=\"10\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 0.0002\nh_count 1\n"), std::string::npos)
      << text;
  EXPECT_EQ(bib::default_latency_buckets().size(), 16u);
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  bib::Metrics metrics;
  metrics.gauge("g", "a \\ help\nline \"quoted\"", {{"worker", "a\"b\\c\nd"}}).set(1);
  EXPECT_EQ(metrics.render(),
            "# HELP g a \\\\ help\\nline \"quoted\"\n"
            "# TYPE g gauge\n"
            "g{worker=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(Metrics, SpecialValues) {
  bib::Metrics metrics;
  metrics.gauge("g", "", {{"v", "inf"}}).set(INFINITY);
  metrics.gauge("g", "", {{"v", "minus"}}).set(-INFINITY);
  metrics.gauge("g", "", {{"v", "nan"}}).set(NAN);
  metrics.gauge("g", "", {{"v", "big"}}).set(123456789012.0);
  metrics.gauge("g", "", {{"v", "huge"}}).set(1e20);
  metrics.gauge("g", "", {{"v", "tiny"}}).set(2.5e-9);
  metrics.gauge("g", "", {{"v", "zero"}}).set(-0.0);
  EXPECT_EQ(metrics.render(),
            "# HELP g \n# TYPE g gauge\n"
            "g{v=\"big\"} 123456789012\n"
            "g{v=\"huge\"} 1e+20\n"
            "g{v=\"inf\"} +Inf\n"
            "g{v=\"minus\"} -Inf\n"
            "g{v=\"nan\"} NaN\n"
            "g{v=\"tiny\"} 2.5e-09\n"
            "g{v=\"zero\"} 0\n");
}

TEST(Metrics, ComputedSeriesAreReadAtRenderAndLeaveWithTheirHandle) {
  bib::Metrics metrics;
  double depth = 3;
  {
    bib::MetricRegistration a = metrics.gauge_fn("outbox", "Outbox.", {{"peer", "a"}}, [&] { return depth; });
    bib::MetricRegistration pulls = metrics.counter_fn("pulls_total", "Pulls.", {}, [] { return 5.0; });
    depth = 4;
    EXPECT_EQ(metrics.render(),
              "# HELP outbox Outbox.\n# TYPE outbox gauge\noutbox{peer=\"a\"} 4\n"
              "# HELP pulls_total Pulls.\n# TYPE pulls_total counter\npulls_total 5\n");
    EXPECT_EQ(metrics.series_count(), 2u);
  }
  EXPECT_EQ(metrics.series_count(), 0u);
  EXPECT_EQ(metrics.render(), "");  // a family without series is left out
}

TEST(Metrics, ARegistrationAssignedOverTheSameSeriesKeepsTheNewOne) {
  bib::Metrics metrics;
  bib::MetricRegistration r = metrics.gauge_fn("g", "", {}, [] { return 1.0; });
  r = metrics.gauge_fn("g", "", {}, [] { return 2.0; });
  EXPECT_EQ(metrics.render(), "# HELP g \n# TYPE g gauge\ng 2\n");
  bib::MetricRegistration moved = std::move(r);
  EXPECT_FALSE(r.active());
  r.reset();  // nothing: the moved-from handle owns nothing
  EXPECT_EQ(metrics.series_count(), 1u);
  moved.reset();
  EXPECT_EQ(metrics.series_count(), 0u);
}

TEST(Metrics, AComputedSeriesThatThrowsReadsAsNaN) {
  bib::Metrics metrics;
  auto r = metrics.gauge_fn("g", "", {}, []() -> double { throw std::runtime_error("gone"); });
  EXPECT_EQ(metrics.render(), "# HELP g \n# TYPE g gauge\ng NaN\n");
}

TEST(Metrics, AFamilyReadByOneFunctionHasTheSeriesItReturnsNow) {
  bib::Metrics metrics;
  bib::Metrics::LabelledValues workers{{{{"worker", "server-2"}}, 0}, {{{"worker", "server-1"}}, 1}};
  {
    auto r = metrics.gauge_family_fn("alive", "Live.", [&] { return workers; });
    EXPECT_EQ(metrics.render(),
              "# HELP alive Live.\n# TYPE alive gauge\nalive{worker=\"server-1\"} 1\nalive{worker=\"server-2\"} 0\n");
    workers.clear();
    EXPECT_EQ(metrics.render(), "");  // no series now: no family
    EXPECT_THROW(metrics.gauge("alive", ""), std::invalid_argument);
    EXPECT_THROW((void)metrics.gauge_fn("alive", "", {}, [] { return 1.0; }), std::invalid_argument);
  }
  workers.push_back({{{"worker", "server-3"}}, 1});
  EXPECT_EQ(metrics.render(), "");  // the handle is gone
  metrics.gauge("other", "");
  EXPECT_THROW((void)metrics.gauge_family_fn("other", "", [] { return bib::Metrics::LabelledValues{}; }),
               std::invalid_argument);
}

TEST(Metrics, TheSameSeriesIsTheSameObject) {
  bib::Metrics metrics;
  EXPECT_EQ(&metrics.counter("c", "", {{"a", "1"}}), &metrics.counter("c", "", {{"a", "1"}}));
  EXPECT_NE(&metrics.counter("c", "", {{"a", "1"}}), &metrics.counter("c", "", {{"a", "2"}}));
  EXPECT_EQ(&metrics.histogram("h", ""), &metrics.histogram("h", ""));
}

TEST(Metrics, MistakesAreRefused) {
  bib::Metrics metrics;
  metrics.counter("c", "");
  EXPECT_THROW(metrics.gauge("c", ""), std::invalid_argument);                 // one name, two types
  EXPECT_THROW(metrics.counter("9c", ""), std::invalid_argument);              // bad name
  EXPECT_THROW(metrics.counter("c-d", ""), std::invalid_argument);
  EXPECT_THROW(metrics.counter("d", "", {{"a:b", "x"}}), std::invalid_argument);  // bad label name
  EXPECT_THROW(metrics.counter("d", "", {{"__a", "x"}}), std::invalid_argument);
  EXPECT_THROW(metrics.histogram("h", "", {{"le", "1"}}), std::invalid_argument);
  EXPECT_THROW(metrics.histogram("h", "", {}, {1, 0.5}), std::invalid_argument);  // not ascending
  EXPECT_THROW((void)metrics.gauge_fn("c", "", {}, [] { return 1.0; }), std::invalid_argument);
  metrics.gauge("g", "");
  EXPECT_THROW((void)metrics.gauge_fn("g", "", {}, [] { return 1.0; }), std::invalid_argument);  // plain already
  auto r = metrics.gauge_fn("g2", "", {}, [] { return 1.0; });
  EXPECT_THROW(metrics.gauge("g2", ""), std::invalid_argument);  // computed already
  EXPECT_NO_THROW(metrics.counter("ns:c_total", "", {{"_ok", "x"}}));
}

}  // namespace
