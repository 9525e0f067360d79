#pragma once
// What a service prepares and the edge commits: an audit record and the state it vouches for, as
// one unit of work (AuditLog::append). The service decides what is written and recorded; the
// edge decides only when, and what to answer once it is durable.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/store.h"

namespace knutpunkt {

struct AuditedWrite {
  std::string kind;  // the audit record's kind, e.g. "case.registered"
  nlohmann::json record;
  std::vector<StoreWrite> writes;
};

}  // namespace knutpunkt
