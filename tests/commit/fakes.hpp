// Fake plugins for the commit pipeline tests: every call is recorded in one shared journal so
// that a test can check the order of apply, append, flush, replicate and reply.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bib/persistence.hpp"
#include "bib/replication.hpp"
#include "bib/service.hpp"

namespace bib::test {

using Journal = std::vector<std::string>;

// Services "add" (a Write of {by}) and "fail" (a Write whose apply throws).
class FakeService final : public bib::ServicePlugin {
 public:
  explicit FakeService(Journal& journal) : journal_(journal) {}
  void configure(bib::Context&) override {}
  std::vector<std::string> services() const override { return {"add", "fail"}; }
  bib::Outcome handle(const bib::Request& request) override;
  bib::Value apply(const bib::Event& event, bib::ApplyMode mode) override;

  std::int64_t total = 0;
  std::vector<bib::ApplyMode> modes;

 private:
  Journal& journal_;
};

class FakePersistence final : public bib::PersistencePlugin {
 public:
  explicit FakePersistence(Journal& journal) : journal_(journal) {}
  void configure(bib::Context&) override {}
  void replay(const std::function<void(const bib::Event&)>& fn) override;
  void append(const bib::Event& event) override;
  void flush() override;
  std::optional<bib::Event> read(std::string_view origin, std::uint64_t seq) override;
  std::vector<bib::Event> read_after(std::string_view origin, std::uint64_t after, std::size_t limit) override;

  std::vector<bib::Event> stored;   // what replay() hands out and append() adds to
  bool fail_replay = false;
  bool fail_flush = false;
  int flushes = 0;
  int reads = 0;  // read() and read_after() calls

 private:
  Journal& journal_;
};

// Keeps done until the test calls release().
class FakeReplication final : public bib::ReplicationPlugin {
 public:
  explicit FakeReplication(Journal& journal) : journal_(journal) {}
  void configure(bib::Context&) override {}
  void replicate(const bib::Event& event, Done done) override;
  void release(bool ok, const std::string& error = "");

  std::vector<Done> held;

 private:
  Journal& journal_;
};

}  // namespace bib::test
