// The public keys a listening side accepts: every NAME.pub in one folder (host.keys_dir), by
// key. The ZAP handler asks it about each CURVE client that connects:
//
//   bib::CurveAllowList members("/etc/bib/keys");   // broker.pub, proxy.pub, server-1.pub, ...
//   members.member(raw_key)                          // "server-1", or nullopt: refused
//
// A miss re-reads the folder when it changed since the last read, so a key added while the
// cluster runs is accepted without a restart (a removed key stays accepted until then).
// Files that are not keys are skipped. Not thread-safe: one thread asks (the ZAP handler's).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "bib/export.hpp"

namespace bib {

class BIB_SDK_API CurveAllowList {
 public:
  // Reads the folder; throws std::runtime_error when it cannot be read.
  explicit CurveAllowList(std::string dir);

  // The name of the member whose public key this is (32 bytes, as ZAP hands it over), or
  // nullopt when no NAME.pub holds it.
  std::optional<std::string> member(std::string_view key);

  std::size_t size() const { return members_.size(); }
  const std::string& dir() const { return dir_; }

 private:
  void load();

  std::string dir_;
  std::filesystem::file_time_type loaded_at_{};
  std::map<std::string, std::string, std::less<>> members_;  // 32-byte key -> name
};

}  // namespace bib
