#include "replication_messages.hpp"


namespace bib::replication {

namespace {

Array to_array(const std::vector<EventId>& ids) {
  Array out;
  out.reserve(ids.size());
  for (const auto& [origin, seq] : ids) out.push_back(Array{origin, seq});
  return out;
}

std::uint64_t non_negative(const Value& value, std::string_view field) {
  if (!value.is_int() || value.as_int() < 0) {
    throw FieldError(std::string(field), "field '" + std::string(field) + "' must be a non-negative integer");
  }
  return static_cast<std::uint64_t>(value.as_int());
}

EventId parse_id(const Value& entry, std::string_view field) {
  if (!entry.is_array() || entry.as_array().size() < 2 || !entry.as_array()[0].is_string()) {
    throw FieldError(std::string(field), "field '" + std::string(field) + "' must hold [origin, seq] pairs");
  }
  return {entry.as_array()[0].as_string(), non_negative(entry.as_array()[1], field)};
}

std::uint64_t opt_count(const Value& data, std::string_view key) {
  const Value* value = data.find(key);
  return value == nullptr || value->is_nil() ? 0 : non_negative(*value, key);
}

VersionVector opt_vv(const Value& data, std::string_view key) {
  const Value* value = data.find(key);
  return value == nullptr || value->is_nil() ? VersionVector{} : version_vector_from_value(*value, key);
}

// " [server-1#4..server-1#6]" for a list of event values, tolerant of malformed entries.
std::string id_range(const Value* events) {
  if (events == nullptr || !events->is_array() || events->as_array().empty()) return "";
  auto id = [](const Value& e) {
    const Value* origin = e.find("origin");
    const Value* seq = e.find("seq");
    if (origin == nullptr || seq == nullptr || !origin->is_string() || !seq->is_int()) return std::string("?");
    return origin->as_string() + "#" + std::to_string(seq->as_int());
  };
  const Array& list = events->as_array();
  if (list.size() == 1) return " [" + id(list.front()) + "]";
  return " [" + id(list.front()) + ".." + id(list.back()) + "]";
}

}  // namespace

EventId id_of(const Event& event) { return {event.origin, event.seq}; }

std::string to_string(const EventId& id) { return id.first + "#" + std::to_string(id.second); }

Envelope to_envelope(const ReplicateMessage& message) {
  return Envelope{std::string(kReplicate),
                  Map{{"from", message.from}, {"replicated", true}, {"batch", message.batch}, {"events", message.events}}};
}

Envelope to_envelope(const AckMessage& message) {
  Array failed;
  for (const FailedEvent& f : message.failed) failed.push_back(Array{f.id.first, f.id.second, f.reason});
  return Envelope{std::string(kReplicateAck), Map{{"from", message.from},
                                                  {"batch", message.batch},
                                                  {"acked", to_array(message.acked)},
                                                  {"failed", std::move(failed)}}};
}

Envelope to_envelope(const SyncMessage& message) {
  return Envelope{std::string(kSync), Map{{"from", message.from}, {"vv", to_value(message.vv)}, {"after", to_value(message.after)}}};
}

Envelope to_envelope(const SyncReplyMessage& message) {
  return Envelope{std::string(kSyncReply), Map{{"from", message.from},
                                               {"replicated", true},
                                               {"vv", to_value(message.vv)},
                                               {"events", message.events},
                                               {"more", message.more}}};
}

ReplicateMessage parse_replicate(const Value& data) {
  return ReplicateMessage{data.get_string("from"), opt_count(data, "batch"), data.get_array("events")};
}

AckMessage parse_ack(const Value& data) {
  AckMessage ack{data.get_string("from"), opt_count(data, "batch"), {}, {}};
  for (const Value& entry : data.get_array("acked")) ack.acked.push_back(parse_id(entry, "acked"));
  if (const Value* failed = data.find("failed"); failed != nullptr && !failed->is_nil()) {
    for (const Value& entry : data.get_array("failed")) {
      const Array& parts = entry.is_array() ? entry.as_array() : Array{};
      const std::string reason = parts.size() > 2 && parts[2].is_string() ? parts[2].as_string() : "";
      ack.failed.push_back(FailedEvent{parse_id(entry, "failed"), reason});
    }
  }
  return ack;
}

SyncMessage parse_sync(const Value& data) {
  return SyncMessage{data.get_string("from"), version_vector_from_value(data.at("vv")), opt_vv(data, "after")};
}

SyncReplyMessage parse_sync_reply(const Value& data) {
  return SyncReplyMessage{data.get_string("from"), opt_vv(data, "vv"), data.get_array("events"),
                          data.opt_bool("more").value_or(false)};
}

std::string summarize(const Envelope& message) {
  const Value& data = message.data;
  std::string line = message.service;
  auto field = [&](std::string_view key) {
    if (const Value* value = data.find(key)) line += " " + std::string(key) + "=" + value->to_string(200);
  };
  auto count = [&](std::string_view key) {
    const Value* value = data.find(key);
    if (value != nullptr && value->is_array()) line += " " + std::string(key) + "=" + std::to_string(value->as_array().size());
  };
  if (const Value* from = data.find("from"); from != nullptr && from->is_string()) line += " from=" + from->as_string();
  field("batch");
  if (message.service == kReplicate || message.service == kSyncReply) {
    count("events");
    line += id_range(data.find("events"));
  }
  if (message.service == kReplicateAck) {
    count("acked");
    count("failed");
    const Value* failed = data.find("failed");
    if (failed != nullptr && failed->is_array() && !failed->as_array().empty()) field("failed");
  }
  field("more");
  field("vv");
  field("after");
  field("clock");
  return line;
}

std::size_t encoded_size(const Value& event) { return encode(event).size(); }

}  // namespace bib::replication
