#pragma once
// Keys being worked on right now (a report being committed, a plan being changed, a replay):
// a second request for a claimed key is turned away instead of racing the first to the store,
// where it would pass the "already stored?" check and then fail the whole batch on a unique key.
#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace knutpunkt {

template <class Key>
class InFlightClaims {
 public:
  // Holds its keys until release() or until the last copy is destroyed. Copies share the claim,
  // so it can travel in a std::function to the callback that learns the outcome; the
  // InFlightClaims must outlive it.
  class Claim {
   public:
    void release() {
      if (held_) held_->release();
    }

   private:
    friend class InFlightClaims;
    struct Held {
      InFlightClaims* owner;
      std::vector<Key> keys;
      bool released = false;
      Held(InFlightClaims* o, std::vector<Key> k) : owner(o), keys(std::move(k)) {}
      Held(const Held&) = delete;
      Held& operator=(const Held&) = delete;
      ~Held() { release(); }
      void release() {
        std::lock_guard lock(owner->mutex_);
        if (released) return;
        released = true;
        for (const Key& key : keys) owner->claimed_.erase(key);
      }
    };
    explicit Claim(std::shared_ptr<Held> held) : held_(std::move(held)) {}
    std::shared_ptr<Held> held_;
  };

  InFlightClaims() = default;
  InFlightClaims(const InFlightClaims&) = delete;
  InFlightClaims& operator=(const InFlightClaims&) = delete;

  // Claims every key or none: nullopt when any of them is claimed already.
  std::optional<Claim> try_claim(std::vector<Key> keys) {
    return try_claim_if(std::move(keys), [] { return true; });
  }
  std::optional<Claim> try_claim(Key key) { return try_claim(std::vector<Key>{std::move(key)}); }

  // The same, and `admit` (run under the lock, only once the keys are known to be free) must
  // return true too. For a store check ("already stored?") that must not interleave with
  // another request for the same key: the second waits for the first's check and then sees its
  // claim, as it would if the check and the claim were one step.
  template <class Admit>
  std::optional<Claim> try_claim_if(std::vector<Key> keys, Admit&& admit) {
    std::lock_guard lock(mutex_);
    if (std::any_of(keys.begin(), keys.end(), [&](const Key& k) { return claimed_.contains(k); })) return std::nullopt;
    if (!admit()) return std::nullopt;
    claimed_.insert(keys.begin(), keys.end());
    return Claim(std::make_shared<typename Claim::Held>(this, std::move(keys)));
  }
  template <class Admit>
  std::optional<Claim> try_claim_if(Key key, Admit&& admit) {
    return try_claim_if(std::vector<Key>{std::move(key)}, std::forward<Admit>(admit));
  }

 private:
  std::mutex mutex_;
  std::set<Key> claimed_;
};

}  // namespace knutpunkt
