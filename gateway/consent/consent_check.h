#pragma once
// Does a consent allow this exchange now? (12 kap. OSL: consent lifts secrecy only for what it
// covers, while it is in force.) Checked at request time for every consent-based exchange, so a
// withdrawal or an expiry stops the next exchange, not some later batch.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/consent_records.h"

namespace knutpunkt::consent {

enum class Verdict {
  valid,          // a consent covers the partner and information type now
  none,           // no consent for this partner at all
  out_of_scope,   // consents for the partner exist, none covers this information type
  not_yet_valid,  // the covering consent's given_at is in the future
  expired,        // the covering consent has expired
  withdrawn,      // the covering consent was withdrawn
};
std::string_view to_string(Verdict verdict);

struct Check {
  Verdict verdict = Verdict::none;
  // The consent that holds (valid), or the one that came closest (for the refusal's audit record).
  std::optional<ConsentRecord> consent;
};

// given_at / expires_at / withdrawn_at are dates or UTC date-times. A date given as expiry means
// the whole of that day is covered (it expires at the next midnight UTC); a date given as
// given_at means from that day's start.
Check check(const std::vector<ConsentRecord>& consents, const std::string& partner, const std::string& information_type,
            std::chrono::system_clock::time_point at);

}  // namespace knutpunkt::consent
