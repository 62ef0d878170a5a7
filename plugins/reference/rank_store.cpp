#include "rank_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "bib/names.hpp"

namespace bib::reference {

namespace {

constexpr const char* kHeader = "# bib reference server ranks: <rank> <name>\n";

std::runtime_error system_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

void write_all(int fd, const std::string& text, const std::string& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw system_error("cannot write", path);
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

RankStore::RankStore(std::string path) : path_(std::move(path)) {}

std::map<std::string, int> RankStore::load() const {
  std::map<std::string, int> ranks;
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return ranks;
  std::ifstream in(path_);
  if (!in) throw system_error("cannot read state file", path_);

  std::set<int> ranks_seen;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    const std::string where = "state file " + path_ + ":" + std::to_string(number) + ": ";
    const auto space = line.find(' ');
    if (space == std::string::npos) throw std::runtime_error(where + "expected '<rank> <name>'");
    int rank = 0;
    const auto [end, err] = std::from_chars(line.data(), line.data() + space, rank);
    if (err != std::errc() || end != line.data() + space || rank < 1) {
      throw std::runtime_error(where + "rank must be a positive integer");
    }
    const std::string name = line.substr(space + 1);
    if (auto problem = name_problem(name)) throw std::runtime_error(where + *problem);
    if (ranks.count(name)) throw std::runtime_error(where + "server '" + name + "' appears twice");
    if (!ranks_seen.insert(rank).second) {
      throw std::runtime_error(where + "rank " + std::to_string(rank) + " appears twice");
    }
    ranks.emplace(name, rank);
  }
  if (in.bad()) throw system_error("cannot read state file", path_);
  return ranks;
}

void RankStore::save(const std::map<std::string, int>& ranks) const {
  std::string text = kHeader;
  for (const auto& [name, rank] : ranks) text += std::to_string(rank) + " " + name + "\n";

  const auto parent = std::filesystem::path(path_).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);  // failure shows at open below

  const std::string temp = path_ + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw system_error("cannot create", temp);
  try {
    write_all(fd, text, temp);
    if (::fsync(fd) != 0) throw system_error("cannot fsync", temp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) throw system_error("cannot close", temp);
  if (::rename(temp.c_str(), path_.c_str()) != 0) throw system_error("cannot rename " + temp + " to", path_);

  // Make the rename itself durable.
  const std::string dir = std::filesystem::path(path_).parent_path().string();
  const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace bib::reference
