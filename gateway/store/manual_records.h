#pragma once
// The manual-handling queue: exchanges the gateway must not run automatically (a referral about a
// person with protected identity) wait here for an operator, who handles them by other means
// (phone, paper, the partner's own secure channel) and marks them resolved. Plain data.
#include <string>

namespace knutpunkt {

struct ManualItem {
  std::string item_id;
  std::string kind;       // e.g. "referral"
  std::string reference;  // the held exchange, e.g. the referral id
  std::string client_id;  // the case system that asked
  std::string case_id;
  std::string destination;  // where it would have gone automatically
  std::string reason;       // e.g. "protected_identity"
  std::string created_at;
  std::string status = "open";  // "open" | "resolved"
  std::string resolved_at;
  std::string resolved_by;
  std::string note;  // the operator's note; free text, never logged
};

namespace store_write {
struct PutManualItem {
  ManualItem item;
};
struct ResolveManualItem {
  std::string item_id;
  std::string resolved_at;
  std::string resolved_by;
  std::string note;
};
}  // namespace store_write

}  // namespace knutpunkt
