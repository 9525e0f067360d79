#pragma once
// An anvisning: a case system refers a person to the municipal labour-market unit (Jobbtorg).
// The fields are those Jobbtorg needs (Jobbtorg's published contract); the adapter renders them in
// Jobbtorg's own shape (mappings/jobbtorg/anvisning.json).
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

namespace knutpunkt {

// Code lists. Försörjningshinder follows Socialstyrelsen's statistics on ekonomiskt bistånd
// (HSLF-FS 2015:30); the target groups are Jobbtorg's intake groups.
const std::set<std::string>& forsorjningshinder_codes();
const std::set<std::string>& target_group_codes();

struct Referral {
  std::string referral_id;  // assigned by knutpunkt at acceptance
  std::string client_id;
  std::string case_id;
  std::string municipality;  // kommunkod, four digits
  std::string unit;
  std::string district;
  std::string person_id;  // 12 digits, normalised at the edge
  std::string id_kind;
  bool protected_identity = false;
  struct Caseworker {
    std::string id;
    std::string name;
    std::string phone;
  } caseworker;
  std::string purpose;
  std::string target_group;
  std::string forsorjningshinder;
  int extent_hours_per_week = 0;
  std::string start_date;
  std::string consent_reference;
  std::string consent_id;  // the registry consent the policy step found for consent_reference
  struct IbPart1 {
    std::string completed_on;
    std::string summary;
    // item -> category, codes as the unit's assessment results (referral_lifecycle.h); may be empty.
    std::map<std::string, std::string> results;
  };
  std::optional<IbPart1> ib_part1;
};

// The internal form: stored, audited, and the source document the outbound mapping renders from.
nlohmann::json to_json(const Referral& referral);

}  // namespace knutpunkt
