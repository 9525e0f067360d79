#pragma once
#include <chrono>
#include <expected>
#include <string>
#include <string_view>

#include "policy/field_error.h"

namespace knutpunkt::policy {

enum class PersonIdKind { personnummer, samordningsnummer };
std::string_view to_string(PersonIdKind kind);

struct PersonId {
  std::string digits;  // 12 digits, YYYYMMDDNNNC (a samordningsnummer keeps its day + 60)
  PersonIdKind kind;
};

// Validates and normalises a personnummer or samordningsnummer (Skatteverket SKV 704,
// folkbokföringslagen 18 § and 18 a §).
//
// Accepted, after trimming surrounding spaces: YYYYMMDDNNNC, YYYYMMDD-NNNC, YYMMDDNNNC,
// YYMMDD-NNNC, YYMMDD+NNNC; the only separators are '-' and '+'. The 10-digit forms get the most recent century that
// puts the birth date on or before `today`; '+' (100 years or older) goes back a further century. A 12-digit form with
// '+' is refused as "format": the century is already explicit, so a '+' could only contradict it or repeat it, and
// guessing which would hide a client's bug.
//
// Error codes, checked in this order: "control_characters" (a NUL, tab, newline or any other C0,
// DEL or C1 control character anywhere: never trimmed, never a separator), "format", "bad_date" (no such calendar day,
// leap years honoured), "bad_check_digit" (Luhn over the 10-digit form), "future_date" (12-digit form born after
// `today`), "too_old" (more than 130 years old: no living person, so a typo). FieldError::field is always "" (the
// caller names the field it passed).
std::expected<PersonId, FieldError> parse_person_id(std::string_view text, std::chrono::year_month_day today);

}  // namespace knutpunkt::policy
