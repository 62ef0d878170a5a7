#include "bib/curve_allow_list.hpp"

#include <stdexcept>
#include <system_error>

#include "bib/curve_keys.hpp"

namespace bib {

CurveAllowList::CurveAllowList(std::string dir) : dir_(std::move(dir)) { load(); }

void CurveAllowList::load() {
  std::error_code error;
  const auto stamp = std::filesystem::last_write_time(dir_, error);
  if (error) throw std::runtime_error("cannot read the keys folder " + dir_ + ": " + error.message());
  std::map<std::string, std::string, std::less<>> members;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().extension() != ".pub") continue;
    try {
      members[decode_curve_key(read_curve_public_key(entry.path().string()))] = entry.path().stem().string();
    } catch (const std::runtime_error&) {
      // not a key file: not a member
    }
  }
  members_ = std::move(members);
  loaded_at_ = stamp;
}

std::optional<std::string> CurveAllowList::member(std::string_view key) {
  auto it = members_.find(key);
  if (it != members_.end()) return it->second;
  std::error_code error;
  const auto stamp = std::filesystem::last_write_time(dir_, error);
  if (error || stamp == loaded_at_) return std::nullopt;
  try {
    load();
  } catch (const std::exception&) {
    return std::nullopt;
  }
  it = members_.find(key);
  return it == members_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

}  // namespace bib
