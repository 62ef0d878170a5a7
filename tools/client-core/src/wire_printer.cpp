#include "bib_cli/wire_printer.hpp"

namespace bib::cli {

WirePrinter::WirePrinter(std::ostream& out, bool quiet)
    // Flushed: lines of a long-running process show at once.
    : sink_([&out](const std::string& text) { out << text << std::endl; }), quiet_(quiet) {}

void WirePrinter::line(const std::string& text) {
  if (!quiet_) sink_(text);
}

void WirePrinter::sent(const std::string& service, const Value& data) {
  Envelope request;  // fields by name: the envelope may have more than these two
  request.service = service;
  request.data = data;
  line("-> " + request.to_string());
}

void WirePrinter::received(const Envelope& reply) { line("<- " + reply.to_string()); }

void WirePrinter::subscribed(const std::string& topic) { line("~> subscribe " + topic); }

void WirePrinter::unsubscribed(const std::string& topic) { line("~> unsubscribe " + topic); }

void WirePrinter::published(const std::string& topic, const Envelope& message) {
  line("<~ [" + topic + "] " + message.to_string());
}

void WirePrinter::failed(const std::string& service, const std::string& error) {
  line("!! " + service + ": " + error);
}

}  // namespace bib::cli
