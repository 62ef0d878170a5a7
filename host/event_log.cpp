#include "event_log.hpp"

#include <cstdio>

namespace bib::host {

namespace {

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = 0xcbf29ce484222325ULL) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// splitmix64's finaliser: spreads FNV's weak low bits so sums of hashes do not cancel.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

std::uint64_t EventLog::event_hash(const bib::Event& event) {
  // '\0' separates fields: a node name never contains it, so fields cannot run together.
  std::string identity = event.origin;
  identity += '\0';
  identity += std::to_string(event.seq);
  identity += '\0';
  identity += std::to_string(event.clock);
  identity += '\0';
  identity += event.service;
  return mix(fnv1a(identity));
}

void EventLog::add(const bib::Event& event) {
  auto [it, inserted] = by_origin_[event.origin].emplace(event.seq, event);
  (void)it;
  if (!inserted) return;
  ++size_;
  digest_ += event_hash(event);
}

std::vector<bib::Event> EventLog::after(std::string_view origin, std::uint64_t after, std::size_t limit) const {
  std::vector<bib::Event> out;
  auto found = by_origin_.find(origin);
  if (found == by_origin_.end()) return out;
  for (auto it = found->second.upper_bound(after); it != found->second.end() && out.size() < limit; ++it)
    out.push_back(it->second);
  return out;
}

std::string EventLog::digest() const {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(digest_));
  return text;
}

}  // namespace bib::host
