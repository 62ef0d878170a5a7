#include "bib_cli/session.hpp"

#include "bib/reply.hpp"
#include "bib_cli/session_file.hpp"

namespace bib::cli {

int Outcome::exit_code() const {
  switch (kind) {
    case Kind::answered:
      return kSuccess;
    case Kind::rejected:
      return kRejected;
    case Kind::unreachable:
      return kUnreachable;
  }
  return kRejected;
}

std::string rejection_reason(const Value& reply_data) {
  if (!reply_data.is_map()) return "reply data is not a map";
  std::string text = error_text(reply_data);
  return text.empty() ? "rejected without a reason" : text;
}

Session::Session(std::string endpoint, ClientOptions options, WirePrinter& wire, zmq::context_t* context)
    : client_(std::move(endpoint), options, context), wire_(wire) {}

void Session::keep_in(std::string path) {
  session_file_ = std::move(path);
  if (!session_file_.empty()) client_.resume(read_session_file(session_file_));
}

Outcome Session::call(const std::string& service, Value data) {
  if (data.is_nil()) data = Map{};
  // The "->" line shows the request_id every try will carry: the one the client is about to
  // assign. (Setting it in `data` ourselves would stop the client from advancing its counter.)
  if (data.contains("request_id")) {
    wire_.sent(service, data);
  } else {
    Value shown = data;
    shown["request_id"] = client_.next_request_id();
    wire_.sent(service, shown);
  }
  auto reply = client_.request(service, std::move(data));
  Outcome outcome;
  if (!reply) {
    wire_.failed(service, reply.error().message);
    // bib::Client says "no reply from <endpoint> after N tries" for silence; anything else
    // (an undecodable reply) came from something that answered.
    const bool silent = reply.error().message.rfind("no reply from ", 0) == 0;
    outcome.kind = silent ? Outcome::Kind::unreachable : Outcome::Kind::rejected;
    outcome.error = reply.error().message;
    return outcome;
  }
  wire_.received(reply.value());
  // Best effort: a session file that cannot be written weakens the next run's guarantee only.
  if (!session_file_.empty()) write_session_file(session_file_, client_.session());
  outcome.data = std::move(reply.value().data);
  if (is_error_reply(outcome.data)) {
    outcome.kind = Outcome::Kind::rejected;
    outcome.error = rejection_reason(outcome.data);
  } else {
    outcome.kind = Outcome::Kind::answered;
  }
  return outcome;
}

}  // namespace bib::cli
