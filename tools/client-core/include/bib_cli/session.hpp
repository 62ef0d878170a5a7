// Requests to the cluster through bib::Client (Lazy Pirate), each shown as wire lines, with
// the outcome sorted into what the exit code tells:
//   answered           reply data without status "erro"          exit 0
//   rejected           status "erro", or a reply we cannot use   exit 1
//   unreachable        no reply after every try                  exit 3
#pragma once

#include <string>

#include "bib/client.hpp"
#include "bib_cli/exit_codes.hpp"
#include "bib_cli/wire_printer.hpp"

namespace bib::cli {

struct Outcome {
  enum class Kind { answered, rejected, unreachable };
  Kind kind = Kind::unreachable;
  Value data;         // the reply data (also for rejected, when there was a reply)
  std::string error;  // why it was rejected or unreachable, one sentence

  bool ok() const { return kind == Kind::answered; }
  int exit_code() const;
};

// The reason in a rejection: `description` (login, users, channel, channels) or `message`
// (publish, history, message, inbox), as the original protocol put it.
std::string rejection_reason(const Value& reply_data);

class Session {
 public:
  Session(std::string endpoint, ClientOptions options, WirePrinter& wire, zmq::context_t* context = nullptr);

  // Continues the session kept in `path` (session_file.hpp) and keeps it there after each
  // reply; "" keeps nothing.
  void keep_in(std::string path);
  Outcome call(const std::string& service, Value data = Map{});
  LamportClock& lamport() noexcept { return client_.lamport(); }
  const std::string& endpoint() const noexcept { return client_.endpoint(); }

 private:
  Client client_;
  WirePrinter& wire_;
  std::string session_file_;
};

}  // namespace bib::cli
