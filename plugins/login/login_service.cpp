#include "login_service.hpp"

#include "bib/messaging.hpp"
#include "bib/reply.hpp"
#include "bib/state_bytes.hpp"

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

std::optional<std::string> LoginService::save_state() const {
  StateWriter out;
  out.u64(users_.size());
  for (const std::string& user : users_) out.str(user);
  out.u64(logins_.size());
  for (const auto& [position, login] : logins_) {
    out.u64(position.clock);
    out.str(position.origin);
    out.u64(position.seq);
    out.str(login.get_string("user"));
    out.f64(login.find("timestamp")->as_double());
  }
  return out.take();
}

void LoginService::restore_state(std::string_view bytes) {
  std::set<std::string, std::less<>> users;
  std::map<LogPosition, Value> logins;
  StateReader in(bytes);
  if (!bytes.empty()) {
    for (std::uint64_t n = in.count(sizeof(std::uint64_t)); n > 0; --n) users.emplace(in.str());
    for (std::uint64_t n = in.count(5 * sizeof(std::uint64_t)); n > 0; --n) {
      LogPosition position;
      position.clock = in.u64();
      position.origin = in.str();
      position.seq = in.u64();
      std::string user = in.str();
      const double timestamp = in.f64();
      logins.emplace(std::move(position), Map{{"user", std::move(user)}, {"timestamp", timestamp}});
    }
    in.expect_end();
  }
  users_.swap(users);
  logins_.swap(logins);
}

void LoginService::describe(Map& status) const {
  status.insert_or_assign("users", users_.size());
  status.insert_or_assign("logins", logins_.size());
}

}  // namespace bib::login
