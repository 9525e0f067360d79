#pragma once
// Consents (samtycke, 12 kap. OSL): what the client agreed to share, with whom, for how long.
// Plain data; the rules that read it are in gateway/consent/.
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

namespace knutpunkt {

struct ConsentRecord {
  std::string consent_id;
  std::string person_id;  // 12 digits
  std::string id_kind;
  std::string partner;                      // the adapter name the consent lets knutpunkt exchange with
  std::set<std::string> information_types;  // e.g. {"HANDLINGSPLAN", "AKTIVITETSRAPPORTER"}
  std::string given_at;                     // date or UTC date-time, as the signed document says
  std::string expires_at;                   // date or UTC date-time; the consent does not hold from then on
  std::string withdrawn_at;                 // empty while in force
  std::string document_reference;           // where the signed document is (the case system's id)
  std::string case_id;
  std::string client_id;  // the case system that recorded it
  std::string recorded_at;
  // For a SIP consent (partner "sip"): the participant organisations the client agreed may share
  // in the plan (12 kap. OSL: secrecy is lifted only towards them). Empty for other partners.
  std::set<std::string> organisations;
  // The organisation of the client that recorded it: only its clients read, withdraw or rely on
  // it. Empty for a consent from before organisations: no one's.
  std::string organisation;
  // The organisation holding the signed document: the recorder's own (it vouches that the document
  // exists there).
  std::string held_by;
};

namespace store_write {
struct PutConsent {
  ConsentRecord consent;
};
struct WithdrawConsent {
  std::string consent_id;
  std::string withdrawn_at;
};
}  // namespace store_write

}  // namespace knutpunkt
