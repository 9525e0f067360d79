#pragma once
// Refusals are exchanges too: an auditor asks "which exchanges were refused and why", so a
// refusal is audited before it is answered. If it cannot be audited the client gets 503.
#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit_log.h"
#include "http/problem.h"
#include "http/server.h"

namespace knutpunkt::http {

// Audits `kind` with `context` (what could be read of the request: client, remote address, ...)
// plus the problem's status, code and invalid fields, then replies with the problem.
void refuse_audited(AuditLog& audit, std::string kind, Problem problem, nlohmann::json context, Reply reply);

}  // namespace knutpunkt::http
