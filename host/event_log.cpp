#include "event_log.hpp"

#include <cstdio>

#include "bib/stable_hash.hpp"

namespace bib::host {

std::uint64_t EventLog::event_hash(const bib::Event& event) {
  // '\0' separates fields: a node name never contains it, so fields cannot run together.
  std::string identity = event.origin;
  identity += '\0';
  identity += std::to_string(event.seq);
  identity += '\0';
  identity += std::to_string(event.clock);
  identity += '\0';
  identity += event.service;
  return bib::stable_hash(identity);
}

EventLog::EventLog(bib::PersistencePlugin* store, std::size_t recent) : store_(store), recent_(recent) {}

void EventLog::save(bib::StateWriter& out) const {
  out.u64(size_);
  out.u64(digest_);
}

void EventLog::load(bib::StateReader& in) {
  size_ = in.u64();
  digest_ = in.u64();
}

void EventLog::add(const bib::Event& event) {
  ++size_;
  digest_ += event_hash(event);
  if (store_ != nullptr && recent_ == 0) return;
  if (!by_origin_[event.origin].emplace(event.seq, event).second) return;
  ++in_memory_;
  if (store_ == nullptr) return;
  // The store has it (or will, after this iteration's append): keep only the newest in memory.
  arrival_.emplace_back(event.origin, event.seq);
  if (arrival_.size() <= recent_) return;
  auto [origin, seq] = std::move(arrival_.front());
  arrival_.pop_front();
  auto events = by_origin_.find(origin);
  events->second.erase(seq);
  if (events->second.empty()) by_origin_.erase(events);
  --in_memory_;
}

std::optional<bib::Event> EventLog::find(std::string_view origin, std::uint64_t seq) const {
  if (auto events = by_origin_.find(origin); events != by_origin_.end()) {
    if (auto found = events->second.find(seq); found != events->second.end()) return found->second;
  }
  if (store_ == nullptr) return std::nullopt;
  return store_->read(origin, seq);
}

std::vector<bib::Event> EventLog::after(std::string_view origin, std::uint64_t after, std::size_t limit) const {
  if (store_ != nullptr) return store_->read_after(origin, after, limit);
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
