#include "http/exchange.h"

#include <atomic>
#include <mutex>

#include "http/path_params.h"
#include "http/request_fields.h"
#include "log/log.h"

namespace knutpunkt::http {

struct Exchange::State {
  Request request;
  RequestContext context;
  PathParams params;
  ExchangeRules rules;
  AuditLog& audit;
  Reply send;
  const ClientConfig* client = nullptr;
  nlohmann::json audit_context;
  std::atomic<bool> answered{false};
  std::mutex releases_mutex;
  std::vector<std::function<void()>> releases;

  State(Request&& r, const RequestContext& c, const PathParams& p, const ExchangeRules& x, AuditLog& a, Reply s)
      : request(std::move(r)), context(c), params(p), rules(x), audit(a), send(std::move(s)) {}

  void release_held() {
    std::vector<std::function<void()>> held;
    {
      std::lock_guard lock(releases_mutex);
      held.swap(releases);
    }
    for (auto& release : held) release();
  }

  // A handler that lost its reply is a bug; the client still gets an answer and the bug a log line.
  ~State() {
    if (answered.exchange(true)) return;
    log::error("http.unanswered", {{"route", rules.route}});
    release_held();
    send(make_problem_response({500, "internal_error", "Internal error", "the request was not answered", {}, {}}));
  }
};

Exchange::Exchange(Request&& request, const RequestContext& context, const PathParams& params,
                   const ExchangeRules& rules, AuditLog& audit, Reply reply)
    : state_(std::make_shared<State>(std::move(request), context, params, rules, audit, std::move(reply))) {
  state_->audit_context = {{"remote_address", context.remote_address}};
}

const Request& Exchange::request() const {
  return state_->request;
}
const std::string& Exchange::param(const std::string& name) const {
  return state_->params.at(name);
}
const std::string& Exchange::remote_address() const {
  return state_->context.remote_address;
}
const std::string& Exchange::route() const {
  return state_->rules.route;
}

const ClientConfig& Exchange::client() const {
  return *state_->client;
}
const ClientConfig* Exchange::caller() const {
  return state_->client;
}

void Exchange::set_caller(const ClientConfig* client) {
  state_->client = client;
  if (client != nullptr) state_->audit_context["client"] = client->id;
}

nlohmann::json& Exchange::audit_context() {
  return state_->audit_context;
}

void Exchange::refuse(Problem problem) {
  if (state_->rules.recorder) return state_->rules.recorder(*this, std::move(problem));
  refuse_as(state_->rules.refused_as, std::move(problem));
}

void Exchange::refuse_as(std::string kind, Problem problem) {
  nlohmann::json record = state_->audit_context;
  record["outcome"] = "refused";
  record["status"] = problem.status;
  record["code"] = problem.code;
  if (!problem.invalid_params.empty()) {
    auto& params = record["invalid_params"] = nlohmann::json::array();
    for (const auto& p : problem.invalid_params) params.push_back({{"name", p.name}, {"code", p.code}});
  }
  log::info(kind, {{"status", problem.status}, {"code", problem.code}, {"client", record.value("client", "")}});
  std::string logged_kind = kind;
  state_->audit.append(std::move(kind), std::move(record),
                       [self = *this, kind = std::move(logged_kind),
                        problem = std::move(problem)](std::expected<AuditReceipt, StoreError> receipt) mutable {
                         if (!receipt) {
                           // A refusal no auditor will see is an operator's matter: said in the log, by kind and
                           // code only (never what the request held).
                           log::error("http.refusal_unaudited",
                                      {{"kind", kind}, {"status", problem.status}, {"error", receipt.error().code}});
                           return self.audit_unavailable("the request could not be audited and was not processed");
                         }
                         self.reply(make_problem_response(problem));
                       });
}

std::optional<nlohmann::json> Exchange::json_object() {
  return read_json_object(state_->request, [this](Problem p) { refuse(std::move(p)); });
}

void Exchange::commit(AuditedWrite write, std::string not_done, Answer answer) {
  state_->audit.append(std::move(write.kind), std::move(write.record), std::move(write.writes),
                       [self = *this, not_done = std::move(not_done),
                        answer = std::move(answer)](std::expected<AuditReceipt, StoreError> receipt) mutable {
                         if (!receipt) return self.audit_unavailable(std::move(not_done));
                         self.reply(answer(*receipt));
                       });
}

void Exchange::store_unavailable() {
  reply(make_problem_response({503, "store_unavailable", "Store unavailable", "try again later", {}, {}}));
}

void Exchange::audit_unavailable(std::string not_done) {
  reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable", std::move(not_done), {}, {}}));
}

void Exchange::reply(Response response) {
  if (state_->answered.exchange(true)) {
    log::error("http.replied_twice", {{"route", state_->rules.route}});
    return;
  }
  state_->release_held();
  state_->send(std::move(response));
}

Reply Exchange::as_reply() const {
  return [self = *this](Response response) mutable { self.reply(std::move(response)); };
}

void Exchange::release_on_reply(std::function<void()> release) {
  std::lock_guard lock(state_->releases_mutex);
  state_->releases.push_back(std::move(release));
}

}  // namespace knutpunkt::http
