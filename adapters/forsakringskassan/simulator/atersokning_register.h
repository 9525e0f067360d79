#pragma once
// What this Försäkringskassan has received as återsökningar (README.md "Återsökning"): the check
// FK makes of a request (400 naming the field), and the register that makes each request take
// effect once. The effect is keyed by Idempotency-Key (the outbox message id: "same key, same
// answer, effect once"); a second key for an atersokningsId already received is a conflict (409),
// since it would be a second claim for the same money.
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace knutpunkt::fk_simulator {

struct FieldRefusal {
  std::string falt;        // JSON Pointer into the body, or a header name
  std::string meddelande;  // Swedish, never the value
};

// The whole wire shape of schemas/forsakringskassan/atersokning.schema.json; the first fault found.
std::optional<FieldRefusal> check_atersokning(const nlohmann::json& body);

// LefiFelsvar with `falt`.
nlohmann::json felsvar(const FieldRefusal& refusal);

// The parts of an accepted återsökning that FK's later decision refers to.
struct Claim {
  std::string atersokningsId;
  std::string personnummer;
  bool skyddad = false;
  std::string formanskod;
  std::string from;
  std::string tom;
  std::int64_t ore = 0;
  std::string notifieringsId;  // of the decision FK sends about it
};

enum class Verdict { accepted, duplicate, conflict };

struct Acceptance {
  Verdict verdict = Verdict::accepted;
  nlohmann::json reply;  // the kvitto: {"atersokningsId", "mottagen"} (the first one, for a duplicate)
  Claim claim;
};

class AtersokningRegister {
 public:
  // `body` has passed check_atersokning; `key` is its non-empty Idempotency-Key.
  Acceptance accept(const std::string& key, const nlohmann::json& body);

  // Accepted återsökningar in order: ids, key, benefit, period, amount and the notification id
  // (no personnummer: the control API is not the place for personal data).
  nlohmann::json list() const;
  std::int64_t effects() const;
  void reset();

 private:
  struct Entry {
    Claim claim;
    std::string key;
    nlohmann::json reply;
  };
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> by_key_;  // index into entries_
  std::map<std::string, std::size_t> by_id_;   // atersokningsId -> index
  std::vector<Entry> entries_;
};

}  // namespace knutpunkt::fk_simulator
