#pragma once
// Case scope: a lookup is allowed only in an open case, about a person in that case's household
// (SSBTEK: 11 kap. 11 a § SoL with förordning 2008:975). The case system
// registers its cases and households with the gateway (PUT /v1/cases/{case_id}).
#include <optional>
#include <string>
#include <string_view>

#include "store/case_records.h"

namespace knutpunkt::policy {

enum class CaseScope { in_scope, no_case, case_closed, not_in_household };
std::string_view to_string(CaseScope scope);

CaseScope check_case_scope(const std::optional<CaseRecord>& case_file, const std::string& person_id);

}  // namespace knutpunkt::policy
