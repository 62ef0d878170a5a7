#include "worker_frames.hpp"

#include <exception>

namespace bib::broker {

Registration registration_of(const std::vector<std::string_view>& frames, const std::string& fallback_name) {
  Registration r;
  r.name = frames.size() >= 3 ? std::string(frames[2]) : std::string();
  if (r.name.empty()) r.name = fallback_name;
  auto number = [&](std::size_t i) -> std::uint64_t {
    if (frames.size() <= i) return 0;
    try {
      return std::stoull(std::string(frames[i]));
    } catch (const std::exception&) {
      return 0;
    }
  };
  r.incarnation = number(3);
  r.generation = r.incarnation == 0 ? 0 : number(4);
  for (std::size_t i = 5; i < frames.size(); ++i) r.holding.emplace_back(frames[i]);
  return r;
}

}  // namespace bib::broker
