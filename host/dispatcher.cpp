#include "dispatcher.hpp"

#include <variant>

#include "bib/reply.hpp"

namespace bib::host {

Dispatcher::Dispatcher(Deps deps) : deps_(deps) {
  limits_.max_bytes = static_cast<std::size_t>(deps_.max_message_bytes);
}

void Dispatcher::dispatch(std::string_view request_bytes, const std::string& peer,
                          std::function<void(std::string reply_bytes)> reply, const std::string& member) {
  auto decoded = bib::decode_envelope(request_bytes, limits_);
  if (!decoded) {
    refuse("undecodable request", decoded.error().message + " (" + std::to_string(request_bytes.size()) + " bytes)",
           peer, std::move(reply));
    return;
  }
  bib::Envelope& envelope = decoded.value();
  // Formatting a whole envelope costs as much as decoding it: only when the wire log is on.
  if (deps_.wire.should_log(spdlog::level::info)) deps_.wire.info("recv {} {}", peer, envelope.to_string());
  bib::observe(envelope.data, deps_.lamport);
  ++deps_.handled;
  if (deps_.metrics != nullptr) reply = deps_.metrics->timed(envelope.service, std::move(reply));

  // Members sign their requests to each other with `from` (elections, clock rounds); under CURVE
  // the key proved who sent it, and a listed key may not speak in another member's name.
  // Only a CURVE link names a member: the broker's and plain links skip the lookup.
  const bib::Value* from = member.empty() ? nullptr : envelope.data.find("from");
  if (from != nullptr && from->is_string() && from->as_string() != member) {
    const std::string problem = "from key " + member + ", claiming '" + from->as_string() + "'";
    if (deps_.refusals != nullptr) deps_.refusals->refuse("request in another member's name", problem);
    send_error(peer, envelope.service, "refused: a request in another member's name (" + problem + ")", reply);
    return;
  }
  if (envelope.service == "status" && deps_.status && deps_.services.find("status") == deps_.services.end()) {
    send(peer, envelope.service, deps_.status(), reply);
    return;
  }
  if (deps_.services.find(envelope.service) == deps_.services.end()) {
    send_error(peer, envelope.service, "unknown service '" + envelope.service + "'", reply);
    return;
  }
  // Only a map is a session's version vector: a service may use `after` for its own ends.
  const bib::Value* after = envelope.data.find("after");
  if (deps_.session == nullptr || after == nullptr || !after->is_map()) {
    serve(std::move(envelope), peer, std::move(reply));
    return;
  }
  bib::VersionVector wanted;
  try {
    wanted = bib::version_vector_from_value(*after, "after");
  } catch (const bib::FieldError& e) {
    send_error(peer, envelope.service, e.what(), reply);
    return;
  }
  deps_.session->wait_for(wanted, [this, envelope = std::move(envelope), peer, reply = std::move(reply)](bool) mutable {
    serve(std::move(envelope), peer, std::move(reply));
  });
}

void Dispatcher::refuse(std::string_view kind, const std::string& problem, const std::string& peer, ReplyFn reply) {
  if (deps_.metrics != nullptr) reply = deps_.metrics->timed("error", std::move(reply));  // counted as malformed
  // A flood of these costs a line per interval, not one per message: the reply's wire line is
  // at debug and the refusal log counts them.
  if (deps_.refusals != nullptr) {
    deps_.refusals->refuse(kind, "from " + peer + ": " + problem);
  } else {
    deps_.wire.info("recv {} ({}: {})", peer, kind, problem);
  }
  send_error(peer, "error", "malformed request: " + problem, reply,
             deps_.refusals != nullptr ? spdlog::level::debug : spdlog::level::info);
}

void Dispatcher::serve(bib::Envelope envelope, const std::string& peer, ReplyFn reply) {
  auto route = deps_.services.find(envelope.service);
  if (route == deps_.services.end()) {
    send_error(peer, envelope.service, "unknown service '" + envelope.service + "'", reply);
    return;
  }
  bib::ServicePlugin& plugin = *route->second.plugin;
  bib::Request request{envelope.service, std::move(envelope.data), peer};
  auto answer = [this, peer, service = request.service, reply](bib::Result<bib::Value> result) {
    if (result)
      send(peer, service, std::move(result).value(), reply);
    else
      send_error(peer, service, result.error().message, reply);
  };
  // A retried write (same data.request_id) gets its first reply; see commit.hpp.
  if (deps_.committer.answer_retry(request, answer)) return;

  bib::Outcome outcome;
  try {
    outcome = plugin.handle(request);
  } catch (const bib::FieldError& e) {
    send_error(peer, request.service, e.what(), reply);
    return;
  } catch (const std::exception& e) {
    // Not the client's fault: worth a line in the plugin's direction.
    deps_.log.warn("plugin '{}' failed on service '{}': {}", route->second.plugin_name, request.service, e.what());
    send_error(peer, request.service, e.what(), reply);
    return;
  }

  if (auto* r = std::get_if<bib::Reply>(&outcome)) {
    send(peer, request.service, std::move(r->data), reply);
    return;
  }
  deps_.committer.commit(plugin, request, std::move(std::get<bib::Write>(outcome)), std::move(answer));
}

void Dispatcher::send(const std::string& peer, const std::string& service, bib::Value data, const ReplyFn& reply,
                      spdlog::level::level_enum wire) {
  if (data.is_nil()) data = bib::Map{};
  if (!data.is_map()) {
    send_error(peer, service,
               "internal error: service '" + service + "' replied with " +
                   bib::Value::type_name(data.type()) + ", not a map",
               reply);
    return;
  }
  // What this node had applied when it answered (the client's next `after`), and which node
  // it is (a reply's own `node`, as status's, is left as it is).
  if (deps_.session != nullptr) {
    bib::VersionVector seen = deps_.committer.version_vector();
    if (!seen.empty()) data.as_map().insert_or_assign("seen", bib::to_value(seen));
    data.as_map().try_emplace("node", deps_.committer.node_name());
  }
  bib::stamp(data, deps_.lamport, deps_.clock);
  const bool failed = deps_.metrics != nullptr && bib::is_error_reply(data);
  bib::Envelope envelope{service, std::move(data)};
  std::string bytes = bib::encode_envelope(envelope);
  if (bytes.size() > limits_.max_bytes) {
    // The peer's socket would drop the whole connection on it (ZMQ_MAXMSGSIZE): with the
    // broker, the request then went round every server for ever. Say so instead.
    send_error(peer, service,
               "reply too large: " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                   std::to_string(limits_.max_bytes) + " (host.max_message_bytes)",
               reply);
    return;
  }
  if (deps_.wire.should_log(wire)) deps_.wire.log(wire, "send {} {}", peer, envelope.to_string());
  if (failed) deps_.metrics->count_error(service);
  reply(std::move(bytes));
}

void Dispatcher::send_error(const std::string& peer, const std::string& service, const std::string& description,
                            const ReplyFn& reply, spdlog::level::level_enum wire) {
  send(peer, service, bib::error_reply(description), reply, wire);
}

}  // namespace bib::host
