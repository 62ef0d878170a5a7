#include "journal.hpp"

#include <stdexcept>

#include "bib/json.hpp"

namespace bib::persistence {

namespace {

// The event on one line, or why it is not one.
Result<Event> parse_line(std::string_view line) {
  Result<Value> value = parse_json(line);
  if (!value) return value.error();
  try {
    return event_from_value(value.value());
  } catch (const std::exception& e) {
    return Error{e.what()};
  }
}

}  // namespace

JournalContents read_journal(const std::string& path) {
  JournalContents out;
  if (!file_exists(path)) return out;
  const std::string text = read_file(path);
  std::size_t start = 0;
  std::size_t line_number = 0;
  while (start < text.size()) {
    ++line_number;
    const std::size_t newline = text.find('\n', start);
    const bool complete = newline != std::string::npos;
    const std::size_t end = complete ? newline : text.size();
    const bool last = !complete || end + 1 == text.size();
    const std::string_view line(text.data() + start, end - start);
    Result<Event> event = complete ? parse_line(line) : Result<Event>(Error{"no newline at its end"});
    if (!event) {
      if (!last)
        throw std::runtime_error("corrupt journal " + path + " line " + std::to_string(line_number) + ": " +
                                 event.error().message);
      out.torn_tail = "line " + std::to_string(line_number) + " (" + std::to_string(text.size() - start) +
                      " bytes): " + event.error().message;
      break;
    }
    out.events.push_back(std::move(event).value());
    start = end + 1;
    out.good_bytes = start;
  }
  return out;
}

}  // namespace bib::persistence
