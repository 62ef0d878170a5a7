#include "wide_text.hpp"

#include <climits>
#include <cwchar>

namespace bib::chat {

std::wstring widen(const std::string& text) {
  std::wstring out;
  std::mbstate_t state{};
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    wchar_t c = 0;
    const std::size_t n = std::mbrtowc(&c, p, left, &state);
    if (n == static_cast<std::size_t>(-1) || n == static_cast<std::size_t>(-2)) {
      out.push_back(L'\uFFFD');
      state = std::mbstate_t{};
      ++p;
      --left;
      continue;
    }
    const std::size_t used = n == 0 ? 1 : n;  // an embedded NUL is one byte
    out.push_back(c);
    p += used;
    left -= used;
  }
  return out;
}

std::string narrow(const std::wstring& text) {
  std::string out;
  std::mbstate_t state{};
  char bytes[MB_LEN_MAX];
  for (wchar_t c : text) {
    const std::size_t n = std::wcrtomb(bytes, c, &state);
    if (n == static_cast<std::size_t>(-1)) {
      out.push_back('?');
      state = std::mbstate_t{};
      continue;
    }
    out.append(bytes, n);
  }
  return out;
}

int columns_of(wchar_t c) {
  const int width = ::wcwidth(c);
  return width < 0 ? 1 : width;
}

}  // namespace bib::chat
