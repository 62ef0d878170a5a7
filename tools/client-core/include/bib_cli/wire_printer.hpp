// One readable line per message sent or received, so a person can follow the conversation:
//   -> login {"request_id": "9f2c41d07a3be611-1", "user": "ana"}
//   <- login {"clock": 9, "status": "sucesso", "timestamp": 1764312345.12}
//   ~> subscribe geral
//   ~> unsubscribe geral
//   <~ [geral] publish {"channel": "geral", "clock": 7, "message": "oi", "user": "ana", ...}
//   !! login: no reply from tcp://127.0.0.1:5555 after 3 tries
// The client stamps `timestamp` and `clock` as it sends, so the "->" line shows the data
// before those two are added. Quiet turns every line off. The lines go to a stream, or to a
// function (the chat UI keeps them for its wire pane and a file, never in the conversation).
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "bib/codec.hpp"

namespace bib::cli {

class WirePrinter {
 public:
  using Sink = std::function<void(const std::string& line)>;

  WirePrinter(std::ostream& out, bool quiet);
  WirePrinter(Sink sink, bool quiet) : sink_(std::move(sink)), quiet_(quiet) {}

  void sent(const std::string& service, const Value& data);
  void received(const Envelope& reply);
  void subscribed(const std::string& topic);
  void unsubscribed(const std::string& topic);
  void published(const std::string& topic, const Envelope& message);
  void failed(const std::string& service, const std::string& error);

 private:
  void line(const std::string& text);

  Sink sink_;
  bool quiet_;
};

}  // namespace bib::cli
