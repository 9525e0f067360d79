#include <catch2/catch.hpp>

#include "policy/case_scope.h"

using namespace knutpunkt;
using policy::CaseScope;

namespace {

CaseRecord case_of(std::string status, std::set<std::string> household) {
  CaseRecord c;
  c.client_id = "case-system";
  c.case_id = "EB-1";
  c.status = std::move(status);
  c.household = std::move(household);
  return c;
}

}  // namespace

TEST_CASE("a lookup is in scope only in an open case, about a member of its household") {
  const auto open = case_of("open", {"191212121212", "201001011234"});
  CHECK(policy::check_case_scope(open, "191212121212") == CaseScope::in_scope);
  CHECK(policy::check_case_scope(open, "198112189876") == CaseScope::not_in_household);
  CHECK(policy::check_case_scope(case_of("closed", {"191212121212"}), "191212121212") == CaseScope::case_closed);
  CHECK(policy::check_case_scope(std::nullopt, "191212121212") == CaseScope::no_case);
  CHECK(policy::to_string(CaseScope::not_in_household) == "not_in_household");
}
