#include "publish_service.hpp"

#include "bib/options.hpp"
#include "bib/reply.hpp"

namespace bib::publish {

namespace {
// What a post's event data holds, and its entries and publications carry.
const std::vector<std::string> kPostFields{"user", "channel", "message"};
}  // namespace

void PublishService::configure(Context& ctx) {
  ctx_ = &ctx;
  require_known_options(ctx.config(), {"users", "channels", "max_message_bytes", "max_posts", "max_age_s",
                                       "channel_retention"});
  retention_ = retention_options(ctx.config(), "max_posts", "channel_retention");
  load_post_ = stored_entries(ctx, kPostFields);
  users_ = &find_directory(ctx, "users", "login");
  channels_ = &find_directory(ctx, "channels", "channel");
  max_message_bytes_ = max_text_bytes_option(ctx.config());
}

Outcome PublishService::handle(const Request& request) {
  try {
    if (request.service == "history") return Reply{history(request.data)};
    return publish(request.data);
  } catch (const FieldError& e) {
    // A missing or mistyped field: this service's own error shape.
    return Reply{error_reply(e.what())};
  }
}

Outcome PublishService::publish(const Value& data) const {
  const std::string& user = data.get_string("user");
  const std::string& channel = data.get_string("channel");
  const std::string& message = data.get_string("message");
  if (!users_->contains(user)) return Reply{error_reply("unknown user '" + user + "'")};
  if (!channels_->contains(channel)) return Reply{error_reply("unknown channel '" + channel + "'")};
  if (auto problem = message_text_problem(message, max_message_bytes_)) return Reply{error_reply(*problem)};
  return Write{Map{{"user", user}, {"channel", channel}, {"message", message}}};
}

Value PublishService::history(const Value& data) const {
  const std::string& channel = data.get_string("channel");
  if (!channels_->contains(channel)) return error_reply("unknown channel '" + channel + "'");
  auto query = page_query(data);
  if (!query) return error_reply(query.error().message);
  auto posts = posts_.find(channel);
  if (posts == posts_.end()) return Map{{"posts", Array{}}};
  return posts->second.page(query.value(), "posts", load_post_, retention_.for_name(channel), ctx_->clock().now());
}

// Never rejects: a replicated post may arrive before the login or channel it refers to.
Value PublishService::apply(const Event& event, ApplyMode mode) {
  auto fields = string_fields(event, kPostFields);
  if (!fields) {
    // Only a bug or a foreign version gets here; every replica skips it alike.
    ctx_->log().warn("publish event {}:{} is malformed, skipped: {}", event.origin, event.seq, event.data.to_string());
    return error_reply("malformed publish event");
  }
  const std::string& channel = fields->at("channel").as_string();
  if (insert_retained(posts_, channel, event, retention_, ctx_->clock().now()) == OrderedLog::Outcome::added)
    ++post_count_;

  if (mode == ApplyMode::local) {
    // Only the origin publishes, once; replicas and replays stay silent.
    const std::string topic = channel;
    fields->emplace("timestamp", event.timestamp);
    fields->emplace("clock", event.clock);
    ctx_->publish(topic, publication("publish", "channel", topic, std::move(*fields)));
  }
  return Map{{"status", "OK"}};
}

void PublishService::start() { sweep_ = start_retention_sweep(*ctx_, posts_, retention_); }

void PublishService::describe(Map& status) const { status.insert_or_assign("posts", post_count_); }

}  // namespace bib::publish
