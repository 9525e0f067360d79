#pragma once
// What this Jobbtorg has received and accepted. The effect of an anvisning happens once per
// Idempotency-Key (README: "200: the same Idempotency-Key again ... no second effect"), so the
// counters here are what the crash and retry tests compare: `effects` must equal the number of
// distinct messages the gateway meant to send, and each referral should list one message id.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "counters.h"
#include "report_writer.h"

namespace knutpunkt::jobbtorg_simulator {

// The counters of GET /_sim/stats, named as they are there.
enum class Counted {
  anvisningar_received,
  duplicates,
  failed_by_fault,
  lost_replies,  // took effect, then the connection was reset
  unauthorized,
  invalid,
  meddelanden_received,
};

struct Acceptance {
  bool duplicate = false;     // the key was accepted before: reply 200 with the first body
  bool new_referral = false;  // the first accepted message for this anvisningsId: start its reports
  nlohmann::json reply;       // {"mottagen": true, "anvisningsId", "jobbtorgReferens"}
  ReferralFacts facts;
};

// What became of a meddelande about an anvisning.
struct MessageAcceptance {
  enum class Outcome { accepted, duplicate, unknown_referral, withdrawn } outcome = Outcome::accepted;
  nlohmann::json reply;  // {"mottagen": true, "anvisningsId", "meddelandeId"} when accepted or duplicate
};

class AnvisningRegister {
 public:
  void count(Counted counted) { counters_.add(counted); }

  // `anvisning` has passed check_anvisning; `key` is its Idempotency-Key (== meddelandeId).
  Acceptance accept(const std::string& key, const nlohmann::json& anvisning);

  // `meddelande` has passed check_meddelande; `key` is its Idempotency-Key (== meddelandeId). A
  // change updates the referral's facts; after a withdrawal nothing more is taken about it.
  MessageAcceptance accept_message(const std::string& key, const nlohmann::json& meddelande);

  std::optional<ReferralFacts> facts(const std::string& anvisnings_id) const;
  nlohmann::json stats() const;
  // The accepted referrals in acceptance order: ids, stadsdel, kommunkod, message ids, the coded
  // IB part 1 (ibDel1Resultat) when the anvisning carried one.
  nlohmann::json referrals() const;
  void reset();

 private:
  struct Referral {
    ReferralFacts facts;
    std::string stadsdel;
    std::string kommunkod;
    std::string accepted_at;
    nlohmann::json ib_del1_resultat;       // the anvisning's coded IB part 1, null when it had none
    std::vector<std::string> message_ids;  // unique accepted keys, in acceptance order
    // Meddelanden taken about it, in order: {meddelandeId, typ, version?, orsak?, beslut?}.
    nlohmann::json meddelanden = nlohmann::json::array();
    bool withdrawn = false;
  };

  simulator_kit::Counters<Counted, 7> counters_{{"anvisningar_received", "duplicates", "failed_by_fault",
                                                 "lost_replies", "unauthorized", "invalid", "meddelanden_received"}};
  mutable std::mutex mutex_;
  std::int64_t next_reference_ = 1;
  std::map<std::string, nlohmann::json> reply_by_key_;
  std::map<std::string, Referral> referrals_;
  std::vector<std::string> referral_order_;
  std::vector<std::string> withdrawn_unknown_;  // anvisningsIds withdrawn that this Jobbtorg never had
};

}  // namespace knutpunkt::jobbtorg_simulator
