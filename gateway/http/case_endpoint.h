#pragma once
// Case systems register their cases and households (PUT /v1/cases/{case_id}) and read them back
// (GET). The rules of a case are the registry's (cases/case_registry.h); this edge reads the
// request, names every invalid field, and answers once the record is durable.
#include "cases/case_registry.h"
#include "http/exchange.h"

namespace knutpunkt::http {

inline constexpr std::size_t kMaxHousehold = 20;

class CaseEndpoint {
 public:
  explicit CaseEndpoint(CaseRegistry& cases) : cases_(cases) {}

  // Guard: case systems.
  void put(Exchange exchange);
  void get(Exchange exchange);

 private:
  CaseRegistry& cases_;
};

}  // namespace knutpunkt::http
