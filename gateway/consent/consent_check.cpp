#include "consent/consent_check.h"

#include "core/clock.h"

namespace knutpunkt::consent {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

std::optional<TimePoint> start_of(const std::string& text) { return parse_utc(text); }

std::optional<TimePoint> end_of(const std::string& text) {
  auto at = parse_utc(text);
  if (at && text.size() == 10) *at += std::chrono::days{1};  // a date covers its whole day
  return at;
}

// How near a consent came to allowing the exchange: a refusal names the nearest one.
int closeness(Verdict v) {
  switch (v) {
    case Verdict::valid:
      return 5;
    case Verdict::withdrawn:
      return 4;
    case Verdict::expired:
      return 3;
    case Verdict::not_yet_valid:
      return 2;
    case Verdict::out_of_scope:
      return 1;
    case Verdict::none:
      return 0;
  }
  return 0;
}

Verdict judge(const ConsentRecord& c, const std::string& information_type, TimePoint at) {
  if (!c.information_types.contains(information_type)) return Verdict::out_of_scope;
  if (!c.withdrawn_at.empty()) {
    const auto withdrawn = start_of(c.withdrawn_at);
    if (!withdrawn || *withdrawn <= at) return Verdict::withdrawn;
  }
  const auto given = start_of(c.given_at);
  if (!given || *given > at) return Verdict::not_yet_valid;
  const auto expires = end_of(c.expires_at);
  if (!expires || *expires <= at) return Verdict::expired;
  return Verdict::valid;
}

}  // namespace

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::valid:
      return "valid";
    case Verdict::none:
      return "no_consent";
    case Verdict::out_of_scope:
      return "consent_out_of_scope";
    case Verdict::not_yet_valid:
      return "consent_not_yet_valid";
    case Verdict::expired:
      return "consent_expired";
    case Verdict::withdrawn:
      return "consent_withdrawn";
  }
  return "no_consent";
}

Check check(const std::vector<ConsentRecord>& consents, const std::string& partner, const std::string& information_type,
            TimePoint at) {
  Check best;
  for (const ConsentRecord& c : consents) {
    if (c.partner != partner) continue;
    const Verdict v = judge(c, information_type, at);
    if (closeness(v) > closeness(best.verdict)) {
      best = {v, c};
      if (v == Verdict::valid) break;
    }
  }
  return best;
}

}  // namespace knutpunkt::consent
