// The reference server's optional state file (option `state_file`): name -> rank, so that
// ranks stay stable when the reference restarts. A readable text file, one server per line:
//
//   # bib reference server ranks: <rank> <name>
//   1 server-1
//   2 server-2
//
// Names cannot contain control characters (docs/protocol.md), so a line never splits one.
// Saving writes a temporary file, fsyncs it and renames it over the old one, so a crash
// leaves either the old or the new file, never half of one.
#pragma once

#include <map>
#include <string>

namespace bib::reference {

class RankStore {
 public:
  explicit RankStore(std::string path);

  // The saved ranks; empty when the file does not exist yet. Throws std::runtime_error naming
  // the file and line when it is unreadable or malformed (the reference then refuses to start
  // rather than hand out ranks that clash with the ones it gave before).
  std::map<std::string, int> load() const;
  // Creates the file's directory if needed. Throws std::runtime_error with the file and the
  // system error when it cannot be written.
  void save(const std::map<std::string, int>& ranks) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace bib::reference
