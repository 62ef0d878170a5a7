// Lets a callback that may outlive its object (posted work, a completion that arrives later)
// find out whether the object is still there before touching it.
//
// The object holds a Lifeline member and hands out callbacks made with guard(): they run only
// while the Lifeline exists and has not been renewed since. The check happens where the
// callback runs, so guarded callbacks belong on the loop thread, like the object itself.
#pragma once

#include <memory>
#include <utility>

namespace bib {

class Lifeline {
 public:
  Lifeline() = default;
  Lifeline(const Lifeline&) = delete;
  Lifeline& operator=(const Lifeline&) = delete;

  // Callbacks guarded before now stop running (an object stopped and started again).
  void renew() { alive_ = std::make_shared<char>(); }

  template <class Fn>
  auto guard(Fn fn) const {
    return [alive = std::weak_ptr<char>(alive_), fn = std::move(fn)](auto&&... args) mutable {
      if (!alive.expired()) fn(std::forward<decltype(args)>(args)...);
    };
  }

 private:
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace bib
