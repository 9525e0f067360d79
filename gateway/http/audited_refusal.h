#pragma once
// Refusals are exchanges too: an auditor asks "which exchanges were refused and why", so a
// refusal is audited before it is answered. If it cannot be audited the client gets 503.
#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit_log.h"
#include "http/client_auth.h"
#include "http/message.h"
#include "http/problem.h"

namespace knutpunkt::http {

// Audits `kind` with `context` (what could be read of the request: client, remote address, ...)
// plus the problem's status, code and invalid fields, then replies with the problem.
void refuse_audited(AuditLog& audit, std::string kind, Problem problem, nlohmann::json context, Reply reply);

// The calling case system, or nullptr after an audited 401 (no valid token) or 403 (not a case
// system) was sent as `refusal_kind`. Adds "client" to `context` when known.
const ClientConfig* require_case_system(const ClientAuth& auth, AuditLog& audit, const std::string& refusal_kind,
                                        const Request& request, nlohmann::json& context, Reply& reply);

}  // namespace knutpunkt::http
