#include "login_service.hpp"

#include "bib/messaging.hpp"
#include "bib/reply.hpp"

namespace bib::login {

void LoginService::configure(Context& ctx) { ctx_ = &ctx; }

Outcome LoginService::handle(const Request& request) {
  try {
    if (request.service == "users") return Reply{users()};
    return login(request.data);
  } catch (const FieldError& e) {
    // A missing or mistyped field: this service's own error shape.
    return Reply{error_reply(e.what())};
  }
}

Outcome LoginService::login(const Value& data) const {
  const std::string& user = data.get_string("user");
  if (auto problem = topic_name_problem(user)) return Reply{error_reply(*problem)};
  return Write{Map{{"user", user}}};
}

Value LoginService::users() const {
  Array names(users_.begin(), users_.end());
  return Map{{"users", std::move(names)}};
}

// Never rejects: the origin validated the name, and a login is recorded wherever it lands.
Value LoginService::apply(const Event& event, ApplyMode) {
  const std::string* user = nullptr;
  if (const Value* field = event.data.find("user"); field != nullptr && field->is_string()) user = &field->as_string();
  if (user == nullptr) {
    // Only a bug or a foreign version gets here; every replica skips it alike.
    ctx_->log().warn("login event {}:{} has no user, skipped: {}", event.origin, event.seq, event.data.to_string());
    return error_reply("login event without a user");
  }
  users_.emplace(*user);
  logins_.emplace(LogPosition::of(event), Map{{"user", *user}, {"timestamp", event.timestamp}});
  return Map{{"status", "sucesso"}};
}

void LoginService::describe(Map& status) const {
  status.insert_or_assign("users", users_.size());
  status.insert_or_assign("logins", logins_.size());
}

}  // namespace bib::login
