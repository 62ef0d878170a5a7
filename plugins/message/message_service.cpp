#include "message_service.hpp"

#include "bib/options.hpp"
#include "bib/reply.hpp"

namespace bib::message {

namespace {
// What a private message's event data holds, and its entries and publications carry.
const std::vector<std::string> kMessageFields{"src", "dst", "message"};
}  // namespace

void MessageService::configure(Context& ctx) {
  ctx_ = &ctx;
  require_known_options(ctx.config(), {"users", "max_message_bytes", "max_messages", "max_age_s"});
  retention_ = retention_options(ctx.config(), "max_messages");
  load_message_ = stored_entries(ctx, kMessageFields);
  users_ = &find_directory(ctx, "users", "login");
  max_message_bytes_ = max_text_bytes_option(ctx.config());
}

Outcome MessageService::handle(const Request& request) {
  try {
    if (request.service == "inbox") return Reply{inbox(request.data)};
    return send(request.data);
  } catch (const FieldError& e) {
    // A missing or mistyped field: this service's own error shape.
    return Reply{error_reply(e.what())};
  }
}

Outcome MessageService::send(const Value& data) const {
  const std::string& src = data.get_string("src");
  const std::string& dst = data.get_string("dst");
  const std::string& message = data.get_string("message");
  if (!users_->contains(src)) return Reply{error_reply("unknown user '" + src + "'")};
  if (!users_->contains(dst)) return Reply{error_reply("unknown user '" + dst + "'")};
  if (auto problem = message_text_problem(message, max_message_bytes_)) return Reply{error_reply(*problem)};
  return Write{Map{{"src", src}, {"dst", dst}, {"message", message}}};
}

Value MessageService::inbox(const Value& data) const {
  const std::string& user = data.get_string("user");
  if (!users_->contains(user)) return error_reply("unknown user '" + user + "'");
  auto query = page_query(data);
  if (!query) return error_reply(query.error().message);
  auto messages = inboxes_.find(user);
  if (messages == inboxes_.end()) return Map{{"messages", Array{}}};
  return messages->second.page(query.value(), "messages", load_message_, retention_.for_name(user), ctx_->clock().now());
}

// Never rejects: a replicated message may arrive before the logins of its users.
Value MessageService::apply(const Event& event, ApplyMode mode) {
  auto fields = string_fields(event, kMessageFields);
  if (!fields) {
    // Only a bug or a foreign version gets here; every replica skips it alike.
    ctx_->log().warn("message event {}:{} is malformed, skipped: {}", event.origin, event.seq, event.data.to_string());
    return error_reply("malformed message event");
  }
  const std::string src = fields->at("src").as_string();
  const std::string dst = fields->at("dst").as_string();
  // Both inboxes decide alike (same position, same request_id), so one outcome counts.
  const double now = ctx_->clock().now();
  const auto outcome = insert_retained(inboxes_, src, event, retention_, now);
  if (dst != src) insert_retained(inboxes_, dst, event, retention_, now);
  if (outcome == OrderedLog::Outcome::added) ++message_count_;

  if (mode == ApplyMode::local) {
    // Only the origin publishes, once; replicas and replays stay silent.
    fields->emplace("timestamp", event.timestamp);
    fields->emplace("clock", event.clock);
    ctx_->publish(dst, publication("message", "user", dst, std::move(*fields)));
  }
  return Map{{"status", "OK"}};
}

void MessageService::start() { sweep_ = start_retention_sweep(*ctx_, inboxes_, retention_); }

void MessageService::describe(Map& status) const { status.insert_or_assign("messages", message_count_); }

}  // namespace bib::message
