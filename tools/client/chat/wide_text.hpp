// UTF-8 text (what the wire carries) and wide characters (what a terminal cell holds) into each
// other, through the C library's multibyte functions and the locale setlocale() chose; bytes
// the locale cannot read become U+FFFD, so a bad message can never break the screen.
#pragma once

#include <string>

namespace bib::chat {

std::wstring widen(const std::string& text);
std::string narrow(const std::wstring& text);
// Terminal columns a character takes (wcwidth; control and unknown characters count 1).
int columns_of(wchar_t c);

}  // namespace bib::chat
