#include "curses_screen.hpp"

// The wide-character ncurses; no macros, so that names such as erase() and move() stay ours.
#define NCURSES_NOMACROS
#define NCURSES_WIDECHAR 1
#include <curses.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "chat_command.hpp"
#include "wide_text.hpp"

namespace bib::chat {

namespace {

// Colour pairs. Names take one of kNameColours by a hash of the name, so a person or a channel
// keeps its colour on every line and in every run.
// In the bars (blue) a name takes the same place in a palette without blue.
enum Pair : short { kFirstName = 1, kBar = 7, kError = 8, kInfo = 9, kTime = 10, kFirstBarName = 11 };
constexpr short kNameColours[] = {COLOR_CYAN, COLOR_GREEN, COLOR_YELLOW, COLOR_MAGENTA, COLOR_BLUE, COLOR_RED};
constexpr short kBarNameColours[] = {COLOR_CYAN, COLOR_GREEN, COLOR_YELLOW, COLOR_MAGENTA, COLOR_WHITE, COLOR_RED};
constexpr int kNameColourCount = static_cast<int>(sizeof kNameColours / sizeof kNameColours[0]);
constexpr int kContinuationIndent = 9;  // wrapped lines start under the text, after "HH:MM:SS "
constexpr wint_t kEscape = 27;

int name_colour(const std::string& name) {
  std::uint32_t hash = 2166136261u;  // FNV-1a
  for (unsigned char c : name) hash = (hash ^ c) * 16777619u;
  return static_cast<int>(hash % kNameColourCount);
}

short name_pair(const std::string& name) { return static_cast<short>(kFirstName + name_colour(name)); }

// A window's label in a bar: channels and queries in their name's colour.
short label_pair(const ChatWindow& window) {
  if (window.type == ChatWindow::Type::status) return kBar;
  return static_cast<short>(kFirstBarName + name_colour(window.name));
}

struct Cell {
  wchar_t c;
  attr_t attrs;
  short pair;
};
using Cells = std::vector<Cell>;

void append(Cells& cells, const std::string& text, attr_t attrs, short pair) {
  for (wchar_t c : widen(text)) cells.push_back(Cell{c < 32 ? L' ' : c, attrs, pair});  // no control characters
}

Cells cells_of(const ChatLine& line) {
  Cells cells;
  append(cells, line.time + " ", A_NORMAL, kTime);
  switch (line.kind) {
    case ChatLine::Kind::post:
    case ChatLine::Kind::private_message:
    case ChatLine::Kind::own: {
      const attr_t bold = line.kind == ChatLine::Kind::own ? A_BOLD : A_NORMAL;
      append(cells, "<", A_NORMAL, 0);
      append(cells, line.who, bold, name_pair(line.who));
      append(cells, "> ", A_NORMAL, 0);
      append(cells, line.text, A_NORMAL, 0);
      break;
    }
    case ChatLine::Kind::info:
      append(cells, "-!- ", A_BOLD, kInfo);
      append(cells, line.text, A_NORMAL, 0);
      break;
    case ChatLine::Kind::error:
      append(cells, "!!! ", A_BOLD, kError);
      append(cells, line.text, A_NORMAL, kError);
      break;
  }
  return cells;
}

// A line's cells cut into rows of `width` columns, between words where a row has a blank to
// break at; rows after the first start indented under the text.
std::vector<Cells> wrap(const Cells& cells, int width) {
  const int indent = std::min(kContinuationIndent, width / 2);
  std::vector<Cells> rows(1);
  int used = 0;
  for (const Cell& cell : cells) {
    const int w = columns_of(cell.c);
    if (used + w > width && !rows.back().empty()) {
      Cells carried;  // the word cut in two moves whole to the next row
      Cells& full = rows.back();
      const std::size_t first_text = rows.size() == 1 ? 0 : static_cast<std::size_t>(indent);
      for (std::size_t i = full.size(); i > first_text + 1; --i) {
        if (full[i - 1].c != L' ') continue;
        carried.assign(full.begin() + static_cast<std::ptrdiff_t>(i), full.end());
        full.resize(i);
        break;
      }
      rows.emplace_back(static_cast<std::size_t>(indent), Cell{L' ', A_NORMAL, 0});
      used = indent;
      for (const Cell& moved : carried) {
        rows.back().push_back(moved);
        used += columns_of(moved.c);
      }
    }
    rows.back().push_back(cell);
    used += w;
  }
  return rows;
}

void put_cells(int y, int x, const Cells& cells, int width) {
  int used = 0;
  for (const Cell& cell : cells) {
    const int w = columns_of(cell.c);
    if (used + w > width) break;
    attr_set(cell.attrs, cell.pair, nullptr);
    const wchar_t text[2] = {cell.c, L'\0'};
    mvaddnwstr(y, x + used, text, 1);
    used += w;
  }
  attr_set(A_NORMAL, 0, nullptr);
}

// A bar across the screen: the background colour fills the whole row.
void fill_bar(int y, int width) {
  attr_set(A_NORMAL, kBar, nullptr);
  mvhline(y, 0, ' ', width);
}

// What Tab completes in the input line: the commands, and the names in sight (authors in the
// current window, the windows' channels and users).
std::vector<std::wstring> completions(const ChatWindows& windows) {
  std::vector<std::wstring> out;
  for (const auto& command : chat_command_names()) out.push_back(widen(command));
  for (const auto& window : windows.all())
    if (window.type != ChatWindow::Type::status) out.push_back(widen(window.name));
  const auto& lines = windows.current().lines;
  for (auto line = lines.rbegin(); line != lines.rend() && out.size() < 500; ++line)
    if (!line->who.empty()) out.push_back(widen(line->who));
  return out;
}

std::string clock_now() {
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&t, &local);
  char text[8];
  std::strftime(text, sizeof text, "%H:%M", &local);
  return text;
}

}  // namespace

CursesScreen::CursesScreen() {
  ::initscr();
  ::cbreak();  // Ctrl-C stays a signal (the loop's stop flag)
  ::noecho();
  ::nonl();
  ::keypad(stdscr, TRUE);
  ::nodelay(stdscr, TRUE);
  ::set_escdelay(25);  // ESC then a digit is Alt-digit; do not wait long for more
  if (::has_colors()) {
    ::start_color();
    ::use_default_colors();
    for (int i = 0; i < kNameColourCount; ++i) {
      ::init_pair(static_cast<short>(kFirstName + i), kNameColours[i], -1);
      ::init_pair(static_cast<short>(kFirstBarName + i), kBarNameColours[i], COLOR_BLUE);
    }
    ::init_pair(kBar, COLOR_WHITE, COLOR_BLUE);
    ::init_pair(kError, COLOR_RED, -1);
    ::init_pair(kInfo, COLOR_CYAN, -1);
    ::init_pair(kTime, COLOR_WHITE, -1);
  }
}

CursesScreen::~CursesScreen() { ::endwin(); }

CursesScreen::Input CursesScreen::read_keys(ChatWindows& windows) {
  Input input;
  wint_t key = 0;
  for (int kind; (kind = ::get_wch(&key)) != ERR;) {
    if (kind == KEY_CODE_YES) {
      after_escape_ = false;
      switch (key) {
        case KEY_LEFT: editor_.left(); break;
        case KEY_RIGHT: editor_.right(); break;
        case KEY_HOME: editor_.home(); break;
        case KEY_END: editor_.end(); break;
        case KEY_BACKSPACE: editor_.backspace(); break;
        case KEY_DC: editor_.delete_forward(); break;
        case KEY_UP: editor_.older(); break;
        case KEY_DOWN: editor_.newer(); break;
        case KEY_PPAGE: windows.scroll(std::max(1, LINES / 2)); break;
        case KEY_NPAGE: windows.scroll(-std::max(1, LINES / 2)); break;
        case KEY_F(2): wire_shown_ = !wire_shown_; break;
        case KEY_ENTER: input.lines.push_back(narrow(editor_.submit())); break;
        default: break;  // KEY_RESIZE and the rest: the next draw fits the new size
      }
      continue;
    }
    if (after_escape_) {
      after_escape_ = false;
      if (key >= L'1' && key <= L'9') windows.select(static_cast<std::size_t>(key - L'1'));
      else if (key == L'0') windows.select(9);
      continue;
    }
    switch (key) {
      case kEscape: after_escape_ = true; break;
      case L'\r':
      case L'\n': input.lines.push_back(narrow(editor_.submit())); break;
      case 127:
      case 8: editor_.backspace(); break;
      case 1: editor_.home(); break;           // Ctrl-A
      case 5: editor_.end(); break;            // Ctrl-E
      case 2: editor_.left(); break;           // Ctrl-B
      case 6: editor_.right(); break;          // Ctrl-F
      case 21: editor_.kill_to_start(); break;  // Ctrl-U
      case 11: editor_.kill_to_end(); break;    // Ctrl-K
      case 23: editor_.kill_word(); break;      // Ctrl-W
      case 14: windows.next(); break;           // Ctrl-N
      case 16: windows.previous(); break;       // Ctrl-P
      case 12: ::clearok(stdscr, TRUE); break;  // Ctrl-L
      case L'\t': editor_.complete(completions(windows)); break;
      case 4:                                   // Ctrl-D: quit on an empty line, else delete
        if (editor_.text().empty()) input.quit = true;
        else editor_.delete_forward();
        break;
      default:
        if (key >= 32) editor_.insert(static_cast<wchar_t>(key));
        break;
    }
  }
  return input;
}

void CursesScreen::draw(const ChatWindows& windows, const StatusFacts& facts, const WireLog& wire) {
  int height = 0, width = 0;
  getmaxyx(stdscr, height, width);
  if (height != drawn_height_ || width != drawn_width_) {
    // A new size: paint every row again. Left to itself, ncurses moves the rows it drew with line
    // insertions inside the scrolling region of the old size, which loses them when the terminal
    // had no size at the start (docker-compose run sizes it just after): the screen then stayed
    // blank until something changed.
    ::clearok(stdscr, TRUE);
    drawn_height_ = height;
    drawn_width_ = width;
  }
  ::werase(stdscr);
  if (height < 4 || width < 20) {
    mvaddstr(0, 0, "window too small");
    ::refresh();
    return;
  }
  draw_title(windows, width);
  const int area = height - 3;  // between the title and the status line
  const int wire_rows = wire_shown_ ? std::max(2, area / 3) : 0;
  draw_lines(windows.current(), 1, area - wire_rows, width);
  if (wire_shown_) draw_wire(wire, 1 + area - wire_rows, wire_rows, width);
  draw_status(windows, facts, height - 2, width);
  draw_input(windows, height - 1, width);
  ::refresh();
}

void CursesScreen::draw_title(const ChatWindows& windows, int width) {
  fill_bar(0, width);
  Cells cells;
  append(cells, " BulletInBoard  ", A_BOLD, kBar);
  append(cells, windows.current().label(), A_BOLD, label_pair(windows.current()));
  if (windows.current().scrolled > 0)
    append(cells, "  (scrolled back " + std::to_string(windows.current().scrolled) + " lines: PgDn)", A_NORMAL, kBar);
  put_cells(0, 0, cells, width);
}

void CursesScreen::draw_lines(const ChatWindow& window, int top, int rows, int width) {
  std::vector<std::vector<Cells>> wrapped(window.lines.size());
  auto rows_of = [&](std::size_t i) -> const std::vector<Cells>& {
    if (wrapped[i].empty()) wrapped[i] = wrap(cells_of(window.lines[i]), width);
    return wrapped[i];
  };
  // Scrolled back further than fills the area: show the oldest lines from the top instead.
  int skip = std::min(window.scrolled, static_cast<int>(window.lines.size()));
  for (int filled = 0; skip > 0; --skip) {
    filled = 0;
    for (int i = static_cast<int>(window.lines.size()) - 1 - skip; i >= 0 && filled < rows; --i)
      filled += static_cast<int>(rows_of(static_cast<std::size_t>(i)).size());
    if (filled >= rows) break;
  }
  // From the newest shown line upwards until the area is full.
  int bottom = top + rows;  // one past the last row still free
  for (int i = static_cast<int>(window.lines.size()) - 1 - skip; i >= 0 && bottom > top; --i) {
    const auto& lines = rows_of(static_cast<std::size_t>(i));
    for (auto row = lines.rbegin(); row != lines.rend() && bottom > top; ++row) put_cells(--bottom, 0, *row, width);
  }
}

void CursesScreen::draw_wire(const WireLog& wire, int top, int rows, int width) {
  attr_set(A_BOLD, kInfo, nullptr);
  mvhline(top, 0, ACS_HLINE, width);
  mvaddstr(top, 2, " wire: requests, replies, subscriptions (F2 hides) ");
  attr_set(A_NORMAL, 0, nullptr);
  const auto& lines = wire.newest();
  const int shown = std::min<int>(rows - 1, static_cast<int>(lines.size()));
  for (int i = 0; i < shown; ++i) {
    Cells cells;
    append(cells, lines[lines.size() - static_cast<std::size_t>(shown - i)], A_DIM, 0);
    put_cells(top + 1 + i, 0, cells, width);
  }
}

void CursesScreen::draw_status(const ChatWindows& windows, const StatusFacts& facts, int row, int width) {
  fill_bar(row, width);
  Cells cells;
  append(cells, "[" + clock_now() + "] [" + (facts.user.empty() ? "not logged in" : facts.user) + "] [lamport " +
                    std::to_string(facts.lamport) + "] [via " + (facts.answered_by.empty() ? "?" : facts.answered_by) + "]",
         A_NORMAL, kBar);
  if (!facts.proxy_connected) append(cells, " [proxy down]", A_BOLD, kFirstBarName + 5);  // red on blue
  const auto& all = windows.all();
  for (std::size_t i = 0; i < all.size(); ++i) {
    const bool current = i == windows.current_index();
    append(cells, " ", A_NORMAL, kBar);
    append(cells, std::to_string(i + 1) + ":", current ? A_BOLD : A_NORMAL, kBar);
    append(cells, all[i].label(), current ? A_BOLD | A_REVERSE : A_NORMAL, label_pair(all[i]));
    if (all[i].unread > 0) append(cells, "(" + std::to_string(all[i].unread) + ")", A_BOLD, kBar);
  }
  put_cells(row, 0, cells, width);
}

void CursesScreen::draw_input(const ChatWindows& windows, int row, int width) {
  Cells prompt;
  append(prompt, "[" + windows.current().label() + "] ", A_BOLD, 0);
  const int prompt_width = static_cast<int>(prompt.size());
  put_cells(row, 0, prompt, width);
  // Scroll the text sideways so the cursor stays on screen.
  const std::wstring& text = editor_.text();
  const int room = std::max(1, width - prompt_width - 1);
  std::size_t first = 0;
  int cursor_column = 0;
  for (std::size_t i = 0; i < editor_.cursor(); ++i) cursor_column += columns_of(text[i]);
  while (cursor_column > room && first < editor_.cursor()) cursor_column -= columns_of(text[first++]);
  Cells typed;
  for (std::size_t i = first; i < text.size(); ++i) typed.push_back(Cell{text[i] < 32 ? L' ' : text[i], A_NORMAL, 0});
  put_cells(row, prompt_width, typed, room);
  ::move(row, std::min(width - 1, prompt_width + cursor_column));
}

}  // namespace bib::chat
