#pragma once
// One request's way through the gateway. The router matches a route, checks its guard and hands
// the handler an Exchange: the request, its path parameters, the caller, the audit context and
// the single reply. What every endpoint used to repeat is written once here: reading a JSON body
// (one behaviour for 415 and 400), an audited refusal under the route's refusal kind, a commit
// whose failure is the same 503 everywhere, resources held until the answer (an idempotency key),
// and exactly one reply: a second is dropped and logged, none at all is logged and answered 500.
//
// An Exchange is a handle: copies share one request, so a handler passes it on to the callback
// that answers once the audit record is durable.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audited_write.h"
#include "config/gateway_config.h"
#include "http/message.h"
#include "http/problem.h"

namespace knutpunkt::http {

class Exchange;
class PathParams;

// How a route's refusals are recorded when the generic audited refusal does not fit (a lookup's
// refusal record carries its lookup id and what was asked).
using RefusalRecorder = std::function<void(Exchange&, Problem)>;

// What the route says about every exchange it takes.
struct ExchangeRules {
  std::string route;       // "PUT /v1/cases/{case_id}": recorded with refusals
  std::string refused_as;  // the audit kind of a refusal, e.g. "case.refused"
  RefusalRecorder recorder;
};

class Exchange {
 public:
  Exchange(Request&& request, const RequestContext& context, const PathParams& params, const ExchangeRules& rules,
           AuditLog& audit, Reply reply);

  const Request& request() const;
  const std::string& param(const std::string& name) const;
  const std::string& remote_address() const;
  const std::string& route() const;

  // The authenticated caller; every route whose guard authenticates has one.
  const ClientConfig& client() const;
  const ClientConfig* caller() const;
  void set_caller(const ClientConfig* client);

  // What an audit record of this exchange says of the request: the remote address, the client
  // once known, and what the handler read (so an auditor sees what a refused request asked).
  nlohmann::json& audit_context();

  // Audits the refusal (the route's recorder, or the route's refusal kind with the audit context
  // and the problem's status, code and invalid fields), then answers the problem; 503 when the
  // refusal cannot be audited.
  void refuse(Problem problem);
  // The generic audited refusal under another kind than the route's.
  void refuse_as(std::string kind, Problem problem);

  // The body as a JSON object, or nullopt after an audited refusal: 415 when it is not
  // application/json, 400 when it is not a JSON object.
  std::optional<nlohmann::json> json_object();

  // Appends the audit record `kind` with the writes it vouches for, as one unit of work; once
  // durable answers what `answer` makes of the receipt, otherwise 503 audit_unavailable saying
  // `not_done` (what did not happen).
  using Answer = std::function<Response(const AuditReceipt&)>;
  void commit(AuditedWrite write, std::string not_done, Answer answer);

  // The one answer for a store or audit log that cannot be reached.
  void store_unavailable();
  void audit_unavailable(std::string not_done);

  // Exactly once; a second reply is logged and dropped.
  void reply(Response response);
  // The same, as a plain Reply for code that only answers.
  Reply as_reply() const;

  // `release` runs once the exchange is answered, just before the answer leaves (or if the
  // exchange ends unanswered): what it held (an idempotency key) is free for the next request.
  void release_on_reply(std::function<void()> release);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace knutpunkt::http
