#include "reference_service.hpp"

#include <cstdint>

#include "bib/names.hpp"
#include "bib/reply.hpp"

namespace bib::reference {

namespace {

constexpr std::size_t kMaxAddressBytes = 255;

// A valid server name from data.user, or a FieldError whose text goes back to the client.
const std::string& required_name(const Value& data) {
  const std::string& name = data.get_string("user");
  if (auto problem = name_problem(name)) throw FieldError("user", "invalid name '" + name + "': " + *problem);
  return name;
}

std::string optional_address(const Value& data) {
  std::string address = data.opt_string("address").value_or("");
  if (address.size() > kMaxAddressBytes) {
    throw FieldError("address", "field 'address' is longer than " + std::to_string(kMaxAddressBytes) + " bytes");
  }
  if (auto problem = text_problem(address)) throw FieldError("address", "field 'address' " + *problem);
  return address;
}

std::optional<int> optional_rank(const Value& data) {
  const auto wanted = data.opt_int("rank");
  if (!wanted || *wanted < 1 || *wanted > kMaxWantedRank) return std::nullopt;  // only a hint
  return static_cast<int>(*wanted);
}

}  // namespace

ReferenceService::ReferenceService(Registry& registry, const RankStore* store, spdlog::logger& log)
    : registry_(registry), store_(store), log_(log) {}

Envelope ReferenceService::handle(const Envelope& request, const std::string& source_ip,
                                  Registry::TimePoint now) {
  Envelope reply{request.service, Map{}};
  try {
    if (request.service == "rank") {
      reply.data = rank(request.data, source_ip, now);
    } else if (request.service == "list") {
      reply.data = list(now);
    } else if (request.service == "heartbeat") {
      reply.data = heartbeat(request.data, now);
    } else {
      reply.data = error_reply("unknown service '" + request.service +
                         "': the reference server answers rank, list and heartbeat");
    }
  } catch (const FieldError& e) {
    reply.data = error_reply(e.what());
  }
  return reply;
}

Envelope ReferenceService::undecodable(const std::string& reason) {
  return Envelope{"error", error_reply("undecodable request: " + reason)};
}

Value ReferenceService::rank(const Value& data, const std::string& source_ip, Registry::TimePoint now) {
  const std::string& name = required_name(data);
  std::string address = optional_address(data);
  if (address.empty()) address = source_ip;
  const auto registration = registry_.register_server(name, address, now, optional_rank(data));

  if (registration.new_rank) {
    log_.info("rank {} given to '{}' ({})", registration.rank, name, address);
    if (store_ != nullptr) {
      try {
        store_->save(registry_.ranks());
      } catch (const std::exception& e) {
        // The rank is still valid for this run; only its survival across a restart is at risk.
        log_.error("cannot save ranks: {}", e.what());
      }
    }
  } else if (!registration.was_live) {
    log_.info("'{}' registered again with rank {} ({})", name, registration.rank, address);
  }
  return Map{{"rank", registration.rank}};
}

Value ReferenceService::list(Registry::TimePoint now) const {
  Array servers;
  for (const auto& server : registry_.live(now)) {
    servers.push_back(Map{{"name", server.name}, {"rank", server.rank}, {"address", server.address}});
  }
  return Map{{"list", std::move(servers)}};
}

Value ReferenceService::heartbeat(const Value& data, Registry::TimePoint now) {
  const std::string& name = required_name(data);
  switch (registry_.heartbeat(name, now)) {
    case Registry::Heartbeat::unknown:
      return error_reply(std::string(kUnknownServer) + " '" + name + "': register with rank");
    case Registry::Heartbeat::revived:
      log_.info("'{}' is back (heartbeat after a silence)", name);
      break;
    case Registry::Heartbeat::alive:
      break;
  }
  return Map{{"status", "OK"}};
}

}  // namespace bib::reference
