#include "policy/case_scope.h"

namespace knutpunkt::policy {

std::string_view to_string(CaseScope scope) {
  switch (scope) {
    case CaseScope::in_scope:
      return "in_scope";
    case CaseScope::no_case:
      return "no_open_case";
    case CaseScope::case_closed:
      return "case_closed";
    case CaseScope::not_in_household:
      return "not_in_household";
  }
  return "no_open_case";
}

CaseScope check_case_scope(const std::optional<CaseRecord>& case_file, const std::string& person_id) {
  if (!case_file) return CaseScope::no_case;
  if (case_file->status != "open") return CaseScope::case_closed;
  if (!case_file->household.contains(person_id)) return CaseScope::not_in_household;
  return CaseScope::in_scope;
}

}  // namespace knutpunkt::policy
