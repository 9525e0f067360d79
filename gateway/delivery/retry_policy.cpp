#include "delivery/retry_policy.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>

namespace knutpunkt::delivery {

using std::chrono::milliseconds;

AttemptClass classify_status(unsigned http_status) {
  if (http_status >= 200 && http_status < 300) return AttemptClass::delivered;
  if (http_status == 408 || http_status == 429 || http_status >= 500) return AttemptClass::retryable;
  return AttemptClass::final;
}

milliseconds RetryPolicy::backoff(int failed_attempts, double random01) const {
  const double base = static_cast<double>(initial_backoff.count()) *
                      std::pow(multiplier, static_cast<double>(std::max(0, failed_attempts - 1)));
  const double capped = std::min(base, static_cast<double>(max_backoff.count()));
  // Jitter spreads retries of many messages that failed together (a partner outage), so they do
  // not all return at the same instant when the partner comes back.
  const double factor = 1.0 - jitter + 2.0 * jitter * std::clamp(random01, 0.0, 1.0);
  const double waited = std::min(capped * factor, static_cast<double>(max_backoff.count()));
  return milliseconds{static_cast<std::int64_t>(std::max(0.0, waited))};
}

RetryDecision decide(const RetryPolicy& policy, AttemptClass outcome, int cycle_attempts, milliseconds age,
                     std::optional<milliseconds> retry_after, double random01) {
  if (outcome == AttemptClass::final) return {false, {}, "final_status"};
  if (cycle_attempts >= policy.max_attempts) return {false, {}, "max_attempts"};
  milliseconds wait = policy.backoff(cycle_attempts, random01);
  if (retry_after) wait = std::max(wait, std::min(*retry_after, policy.max_retry_after));
  if (age + wait > policy.max_age) return {false, {}, "max_age"};
  return {true, wait, {}};
}

std::optional<milliseconds> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc{} || end != value.data() + value.size() || seconds > 365LL * 24 * 3600) return std::nullopt;
    return milliseconds{seconds * 1000};
  }
  // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (the form RFC 9110 requires senders to use).
  std::tm tm{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  const auto delta = std::chrono::duration_cast<milliseconds>(at - now);
  return std::max(delta, milliseconds{0});
}

}  // namespace knutpunkt::delivery
