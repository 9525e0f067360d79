#pragma once
// What an auditor searches the audit log by, read out of one record's kind and body.
// It lives with the store, not in audit/, because the store writes the index rows in the same
// transaction as the records (store.h) and audit/ depends on store/, not the other way round.
// audit/audit_index.h is the name the rest of the gateway includes.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace knutpunkt {

struct AuditIndexEntry {
  // First segment of the kind ("lookup", "referral", "delivery", "audit", ...), with
  // "partner.notification_*" as "notification".
  std::string operation;
  // The body's own outcome when it has one (lookup: complete/partial; delivery: delivered/retry/
  // dead_lettered; notification: published/no_open_case); "refused" for every *refused kind;
  // "held_for_manual_handling" for a held referral; otherwise the kind's verb (accepted,
  // recorded, withdrawn, read, registered, resolved, signed_in, ...).
  std::string outcome;
  // Why: the refusal code (body.code), a dead letter's reason, a held referral's reason; else "".
  std::string reason;
  // Who acted: the authenticated auditor, client or user (body auditor, client, user, username,
  // resolved_by, replayed_by); for what the gateway did on its own (delivery attempts) the case
  // system the exchange belongs to (client_id).
  std::string client;
  std::string caseworker;
  std::string case_id;
  // The partner adapter asked, sent to or reporting (adapter, partner, destination).
  std::string partner;
  // Every personnummer/samordningsnummer (12 digits) the record is about, the subject first,
  // without repeats: the person looked up or referred, a case's household before and after, the
  // person an auditor searched for. Anything not 12 digits (an unparsed request field) is left out.
  std::vector<std::string> persons;

  bool operator==(const AuditIndexEntry&) const = default;
};

// Pure: the same kind and body always give the same entry; unknown kinds and odd bodies give
// what can be read (empty fields), never an error.
AuditIndexEntry index_entry(const std::string& kind, const nlohmann::json& body);

}  // namespace knutpunkt
