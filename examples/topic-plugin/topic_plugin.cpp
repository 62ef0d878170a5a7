// bib-topic.so: the `topic` service, set and read a channel's topic (topic_requests.hpp).
// A set goes through the host's commit pipeline like a post: stored by the persistence
// plugin, replicated to every server, replayed at start-up, so every replica shows the same
// topic. Options: channels (the plugin owning channel names, default "channel") and
// max_topic_bytes (default 300).
#include <bib/plugin_export.hpp>
#include <bib/sdk.hpp>

#include "topic_board.hpp"
#include "topic_requests.hpp"

namespace topic {

class TopicService final : public bib::ServicePlugin {
 public:
  void configure(bib::Context& ctx) override {
    ctx_ = &ctx;
    const bib::Value& config = ctx.config();
    bib::require_known_options(config, {"channels", "max_topic_bytes"});
    bib::read_options([&] {
      max_bytes_ = static_cast<std::size_t>(
          bib::int_option(config, "max_topic_bytes", static_cast<std::int64_t>(kDefaultMaxTopicBytes), 1, 4096));
    });
    channels_ = &bib::find_directory(ctx, "channels", "channel");
  }

  std::vector<std::string> services() const override { return {"topic"}; }

  bib::Outcome handle(const bib::Request& request) override {
    try {
      return answer(request.data, *channels_, board_, max_bytes_);
    } catch (const bib::FieldError& e) {
      return bib::Reply{bib::error_reply(e.what())};
    }
  }

  // Local, replicated and replayed events alike; deterministic, so replicas agree.
  bib::Value apply(const bib::Event& event, bib::ApplyMode mode) override {
    const std::string& channel = event.data.get_string("channel");
    const bool current = board_.apply(channel, setting_of(event));
    if (mode == bib::ApplyMode::local && current) {
      ctx_->log().info("topic of '{}' is now '{}'", channel, event.data.get_string("topic"));
    }
    return bib::Map{{"status", "sucesso"}};
  }

  void describe(bib::Map& status) const override { status.insert_or_assign("topics", board_.size()); }

  // Checkpoints: a restart restores the board instead of re-applying every setting.
  std::optional<std::string> save_state() const override { return board_.save(); }
  void restore_state(std::string_view bytes) override { board_ = TopicBoard::load(bytes); }

 private:
  bib::Context* ctx_ = nullptr;
  const bib::NameDirectory* channels_ = nullptr;
  std::size_t max_bytes_ = kDefaultMaxTopicBytes;
  TopicBoard board_;
};

}  // namespace topic

BIB_PLUGIN(topic, bib::PluginKind::service, "1.0.0", topic::TopicService)
