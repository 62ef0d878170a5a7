#include "bib/names.hpp"

#include <cstdint>

namespace bib {

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<std::uint8_t>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code = lead & 0x07;
    } else {
      return false;  // a continuation byte or 0xF8..0xFF where a character must start
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<std::uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[length]) return false;              // overlong form
    if (code >= 0xD800 && code <= 0xDFFF) return false;      // UTF-16 surrogate
    if (code > 0x10FFFF) return false;
    i += length;
  }
  return true;
}

namespace {

// C0 controls, DEL and the C1 controls (U+0080..U+009F, encoded as C2 80..C2 9F).
bool has_control_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<std::uint8_t>(text[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<std::uint8_t>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

}  // namespace

std::optional<std::string> name_problem(std::string_view name) {
  if (name.empty()) return "name is empty";
  if (name.size() > kMaxNameBytes) {
    return "name is " + std::to_string(name.size()) + " bytes long, the limit is " +
           std::to_string(kMaxNameBytes);
  }
  if (auto problem = text_problem(name)) return "name " + *problem;
  return std::nullopt;
}

std::optional<std::string> text_problem(std::string_view text) {
  if (!is_valid_utf8(text)) return "is not valid UTF-8";
  if (has_control_character(text)) return "contains a control character";
  return std::nullopt;
}

}  // namespace bib
