#include "fakes.hpp"

#include <algorithm>
#include <stdexcept>

namespace bib::test {

namespace {
std::string id(const bib::Event& e) { return e.origin + "#" + std::to_string(e.seq); }
}  // namespace

bib::Outcome FakeService::handle(const bib::Request& request) {
  journal_.push_back("handle " + request.service);
  return bib::Write{bib::Map{{"by", request.data.opt_int("by").value_or(1)}, {"fail", request.service == "fail"}}};
}

bib::Value FakeService::apply(const bib::Event& event, bib::ApplyMode mode) {
  if (event.data.get_bool("fail")) throw std::runtime_error("apply refused");
  journal_.push_back("apply " + id(event));
  modes.push_back(mode);
  total += event.data.get_int("by");
  return bib::Map{{"status", "OK"}, {"total", total}, {"seq", static_cast<std::int64_t>(event.seq)}};
}

void FakePersistence::replay(const std::function<void(const bib::Event&)>& fn) {
  if (fail_replay) throw std::runtime_error("corrupt log");
  for (const bib::Event& e : stored) fn(e);
}

void FakePersistence::append(const bib::Event& event) {
  journal_.push_back("append " + id(event));
  stored.push_back(event);
}

void FakePersistence::flush() {
  journal_.push_back("flush");
  ++flushes;
  if (fail_flush) throw std::runtime_error("disk full");
}

std::optional<bib::Event> FakePersistence::read(std::string_view origin, std::uint64_t seq) {
  ++reads;
  for (const bib::Event& e : stored)
    if (e.origin == origin && e.seq == seq) return e;
  return std::nullopt;
}

std::vector<bib::Event> FakePersistence::read_after(std::string_view origin, std::uint64_t after, std::size_t limit) {
  ++reads;
  std::vector<bib::Event> out;
  for (const bib::Event& e : stored)
    if (e.origin == origin && e.seq > after) out.push_back(e);
  std::sort(out.begin(), out.end(), [](const bib::Event& a, const bib::Event& b) { return a.seq < b.seq; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

void FakeReplication::replicate(const bib::Event& event, Done done) {
  journal_.push_back("replicate " + id(event));
  held.push_back(std::move(done));
}

void FakeReplication::release(bool ok, const std::string& error) {
  auto all = std::move(held);
  held.clear();
  for (auto& d : all) d(ok, error);
}

}  // namespace bib::test
