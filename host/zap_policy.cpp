#include "zap_policy.hpp"

#include <cstdint>
#include <utility>

#include <zmq.h>

#include "bib/link_security.hpp"

namespace bib::host {

ZapPolicy::ZapPolicy(std::optional<bib::CurveAllowList> members) : members_(std::move(members)) {}

ZapVerdict ZapPolicy::judge(std::string_view domain, std::string_view mechanism, std::string_view key) {
  if (mechanism != "CURVE") return {false, "", "mechanism " + std::string(mechanism) + " where CURVE is required"};
  if (domain == bib::LinkSecurity::kClientDomain) return {true, "client", ""};
  if (domain != bib::LinkSecurity::kClusterDomain) return {false, "", "unknown ZAP domain '" + std::string(domain) + "'"};
  if (!members_) return {false, "", "no allow-list (host.security is not \"curve\")"};
  if (auto name = members_->member(key)) return {true, *name, ""};
  return {false, "", "key " + key_text(key) + " is not one of " + members_->dir() + "/*.pub"};
}

std::string key_text(std::string_view key) {
  if (key.size() != 32) return "of " + std::to_string(key.size()) + " bytes";
  char text[41];
  zmq_z85_encode(text, reinterpret_cast<const std::uint8_t*>(key.data()), key.size());
  return text;
}

}  // namespace bib::host
