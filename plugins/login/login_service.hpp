// login: who has logged in (docs/protocol.md). Owns the users directory that publish and
// message consult.
//   {"service": "login", "data": {"user": "ana"}}  ->  {"status": "sucesso"}
//   {"service": "login", "data": {"user": ""}}     ->  {"status": "erro", "description": "name is empty"}
//   {"service": "users", "data": {}}               ->  {"users": ["ana", "bia"]}
// Users are a grow-only set: a name may log in again (every login is recorded), and it is
// listed once.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bib/sdk.hpp"
#include "bib/ordered_log.hpp"

namespace bib::login {

class LoginService final : public ServicePlugin, public NameDirectory {
 public:
  void configure(Context& ctx) override;
  std::vector<std::string> services() const override { return {"login", "users"}; }
  Outcome handle(const Request& request) override;
  Value apply(const Event& event, ApplyMode mode) override;
  void describe(Map& status) const override;
  std::optional<std::string> save_state() const override;
  void restore_state(std::string_view bytes) override;

  bool contains(std::string_view user) const override { return users_.contains(user); }
  // Every login, in the cluster-wide order: {"user", "timestamp"} at its event's position.
  const std::map<LogPosition, Value>& logins() const noexcept { return logins_; }

 private:
  Outcome login(const Value& data) const;
  Value users() const;

  Context* ctx_ = nullptr;
  std::set<std::string, std::less<>> users_;
  std::map<LogPosition, Value> logins_;
};

}  // namespace bib::login
