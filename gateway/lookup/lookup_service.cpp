#include "lookup/lookup_service.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <mutex>
#include <optional>

#include "core/clock.h"
#include "core/ids.h"
#include "log/log.h"
#include "policy/protected_identity.h"

namespace knutpunkt {

namespace {

using Clock = std::chrono::steady_clock;

// Adapters promise to answer shortly after their deadline; this margin is how long the service
// waits past the whole answer's deadline before it gives up on one that did not.
constexpr std::chrono::milliseconds kStragglerGrace{250};

// Shared by the source callbacks and the safety timer; whichever completes the set finishes.
struct Gathering : std::enable_shared_from_this<Gathering> {
  Gathering(boost::asio::io_context& io, std::size_t n) : timer(boost::asio::make_strand(io)), outcomes(n) {}

  boost::asio::steady_timer timer;
  std::mutex mutex;
  std::vector<std::optional<SourceOutcome>> outcomes;
  std::size_t pending = 0;
  bool finished = false;
  Clock::time_point started = Clock::now();
};

SourceOutcome unanswered(const std::string& source, const Gathering& gathering) {
  SourceOutcome outcome;
  outcome.source = source;
  outcome.status = SourceStatus::timeout;
  outcome.partner_message = "no answer within the lookup deadline";
  outcome.latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - gathering.started);
  return outcome;
}

// The outcomes in the order the sources were asked, each counted in the metrics.
void add_outcomes(LookupAnswer& answer, Gathering& gathering, const std::vector<std::string>& sources,
                  LookupMetrics& metrics) {
  for (std::size_t i = 0; i < sources.size(); ++i) {
    SourceOutcome outcome =
        gathering.outcomes[i] ? std::move(*gathering.outcomes[i]) : unanswered(sources[i], gathering);
    answer.protected_identity = answer.protected_identity || outcome.protected_identity;
    metrics.record(answer.adapter, outcome);
    answer.outcomes.push_back(std::move(outcome));
  }
}

// The first source that reported the person protected, as adapter/source; empty when none did.
std::string first_flagging_source(const LookupAnswer& answer) {
  std::string flagged_by;
  for (const auto& outcome : answer.outcomes) {
    if (outcome.protected_identity && flagged_by.empty()) flagged_by = answer.adapter + "/" + outcome.source;
  }
  return flagged_by;
}

// Stamp the envelope here, not in adapters, so every event carries the same correlation and
// subject whatever partner it came from; one protected flag protects all of them, and no
// location of a protected person leaves the gateway.
void stamp_events(LookupAnswer& answer, const std::string& received_at) {
  for (auto& outcome : answer.outcomes) {
    for (auto& event : outcome.events) {
      if (event.event_id.empty()) event.event_id = new_uuid();
      event.received_at = received_at;
      if (event.occurred_at.empty()) event.occurred_at = received_at;
      event.source_partner = answer.adapter + "/" + outcome.source;
      event.case_id = answer.query.case_id;
      event.subject = Subject{answer.query.person_id, answer.query.id_kind};
      event.correlation_id = answer.query.lookup_id;
      event.causation_id = answer.query.lookup_id;
      event.protected_identity = answer.protected_identity;
      if (answer.protected_identity) policy::strip_location_facts(event.facts);
    }
  }
}

// The answer reaches the caller only once its audit record is stored.
void answer_lookup(Gathering& gathering, authorization::AuthorizedLookup authorized, LookupService::Done done,
                   LookupMetrics& metrics, AuditLog& audit, boost::asio::io_context& io) {
  const bool known_protected = authorized.known_protected;
  LookupAnswer answer;
  answer.query = std::move(authorized.query);
  answer.adapter = authorized.adapter;
  answer.legal_basis = authorized.legal_basis;
  answer.consents = std::move(authorized.consents);
  const std::string received_at = now_utc();
  add_outcomes(answer, gathering, authorized.sources, metrics);
  const std::string flagged_by = first_flagging_source(answer);
  answer.protected_identity = answer.protected_identity || known_protected;
  stamp_events(answer, received_at);
  nlohmann::json record = lookup_audit_body(answer);
  std::vector<StoreWrite> writes;
  if (!flagged_by.empty() && !known_protected) {
    writes.push_back(store_write::RememberProtected{answer.query.person_id, flagged_by, received_at});
    record["protected_identity_remembered"] = true;
  }
  audit.append(
      "lookup", std::move(record), std::move(writes),
      [&io, answer = std::move(answer),
       done = std::move(done)](std::expected<AuditReceipt, StoreError> receipt) mutable {
        // Answered on an io thread: building and serialising the answer on the audit writer's
        // thread would hold up its next batch, and with it every other caller's commit.
        boost::asio::post(io, [answer = std::move(answer), done = std::move(done),
                               receipt = std::move(receipt)]() mutable {
          if (!receipt) {
            log::error("lookup.audit_failed", {{"lookup_id", answer.query.lookup_id}, {"error", receipt.error().code}});
            done(std::unexpected(Failure{"audit_unavailable", "the audit record could not be stored"}));
            return;
          }
          answer.audit = *receipt;
          done(std::move(answer));
        });
      });
}

// Files a source's outcome; the last one to arrive finishes the lookup.
template <typename Finish>
auto slot_completer(std::shared_ptr<Gathering> gathering, std::shared_ptr<Finish> finish_once) {
  return [gathering, finish_once](std::size_t index, SourceOutcome outcome) {
    bool run_finish = false;
    {
      std::lock_guard lock(gathering->mutex);
      if (gathering->finished || gathering->outcomes[index]) return;
      gathering->outcomes[index] = std::move(outcome);
      if (--gathering->pending == 0) {
        gathering->finished = true;
        run_finish = true;
      }
    }
    if (run_finish) {
      // The timer lives on its own strand; cancelling from this (any) thread must go through it.
      boost::asio::post(gathering->timer.get_executor(), [gathering] { gathering->timer.cancel(); });
      (*finish_once)();
    }
  };
}

// Finishes the lookup with whatever has arrived if some source never answers.
template <typename Finish>
void arm_safety_timer(const std::shared_ptr<Gathering>& gathering, std::shared_ptr<Finish> finish_once, Deadline at,
                      std::string lookup_id) {
  gathering->timer.expires_at(at);
  gathering->timer.async_wait([gathering, finish_once, lookup_id = std::move(lookup_id)](boost::system::error_code ec) {
    if (ec) return;
    {
      std::lock_guard lock(gathering->mutex);
      if (gathering->finished) return;
      gathering->finished = true;
    }
    log::warn("lookup.deadline_reached", {{"lookup_id", lookup_id}, {"unanswered", gathering->pending}});
    (*finish_once)();
  });
}

std::vector<SourceRequest> source_requests(const authorization::AuthorizedLookup& authorized, LookupAdapter& adapter,
                                           Deadline overall) {
  std::vector<SourceRequest> requests;
  for (const auto& source : authorized.sources) {
    SourceRequest request{source, std::min(overall, Deadline(Clock::now() + adapter.source_timeout(source))), {}};
    // Each source is asked under its own consent, so the partner sees the document that covers it.
    if (auto grant = authorized.consents.find(source); grant != authorized.consents.end()) {
      request.consent_reference = grant->second.document_reference;
    }
    requests.push_back(std::move(request));
  }
  return requests;
}

}  // namespace

bool LookupAnswer::complete() const {
  return std::all_of(outcomes.begin(), outcomes.end(),
                     [](const SourceOutcome& o) { return o.status == SourceStatus::ok; });
}

LookupService::LookupService(boost::asio::io_context& io, AuditLog& audit, std::chrono::milliseconds lookup_deadline)
    : io_(io), audit_(audit), lookup_deadline_(lookup_deadline) {}

void LookupService::add_adapter(std::string name, std::unique_ptr<LookupAdapter> adapter) {
  adapters_[std::move(name)] = std::move(adapter);
}

LookupAdapter* LookupService::adapter(const std::string& name) const {
  auto it = adapters_.find(name);
  return it == adapters_.end() ? nullptr : it->second.get();
}

std::vector<std::string> LookupService::adapter_names() const {
  std::vector<std::string> names;
  for (const auto& [name, adapter] : adapters_) names.push_back(name);
  return names;
}

AdapterContracts LookupService::contract_versions() const {
  AdapterContracts out;
  for (const auto& [name, adapter] : adapters_) out[name] = adapter->contract_versions();
  return out;
}

void LookupService::lookup(authorization::AuthorizedLookup authorized, Done done) {
  LookupAdapter* adapter = this->adapter(authorized.adapter);
  auto gathering = std::make_shared<Gathering>(io_, authorized.sources.size());
  gathering->pending = authorized.sources.size();
  const Deadline overall = Clock::now() + lookup_deadline_;

  // Runs once, when every source has answered or the safety timer fired.
  auto finish = [this, gathering, authorized, done = std::move(done)]() mutable {
    answer_lookup(*gathering, std::move(authorized), std::move(done), metrics_, audit_, io_);
  };
  auto finish_once = std::make_shared<decltype(finish)>(std::move(finish));
  auto complete_slot = slot_completer(gathering, finish_once);
  arm_safety_timer(gathering, finish_once, overall + kStragglerGrace, authorized.query.lookup_id);

  const std::vector<SourceRequest> requests = source_requests(authorized, *adapter, overall);
  adapter->fetch_sources(authorized.query, requests, [complete_slot](std::size_t i, SourceOutcome outcome) {
    complete_slot(i, std::move(outcome));
  });
}

nlohmann::json lookup_audit_body(const LookupAnswer& answer) {
  const auto& q = answer.query;
  nlohmann::json outcomes = nlohmann::json::object();
  std::vector<std::string> asked;
  for (const auto& outcome : answer.outcomes) {
    asked.push_back(outcome.source);
    nlohmann::json entry = {{"status", std::string(to_string(outcome.status))},
                            {"events", outcome.events.size()},
                            {"latency_ms", outcome.latency.count()}};
    if (!outcome.partner_code.empty()) entry["code"] = outcome.partner_code;
    if (!outcome.partner_message.empty()) entry["message"] = outcome.partner_message;
    if (outcome.protected_identity) entry["protected_identity"] = true;
    if (!outcome.deviations.empty()) entry["deviations"] = outcome.deviations;
    if (!outcome.contract_version.empty()) entry["contract_version"] = outcome.contract_version;
    if (auto grant = answer.consents.find(outcome.source); grant != answer.consents.end()) {
      entry["consent"] = {{"id", grant->second.consent_id}, {"document_reference", grant->second.document_reference}};
    }
    outcomes[outcome.source] = std::move(entry);
  }
  return {
      {"lookup_id", q.lookup_id},
      {"outcome", answer.complete() ? "complete" : "partial"},
      {"client", q.client_id},
      {"caseworker", {{"id", q.caseworker.id}, {"unit", q.caseworker.unit}}},
      {"case_id", q.case_id},
      {"purpose", q.purpose},
      {"legal_basis", q.legal_basis},
      {"legal_ground", std::string(policy::to_string(answer.legal_basis))},
      {"person", {{"id", q.person_id}, {"kind", q.id_kind}}},
      {"protected_identity", answer.protected_identity},
      {"period", {{"from", q.period_from}, {"to", q.period_to}}},
      {"adapter", answer.adapter},
      {"sources_asked", asked},
      {"sources", outcomes},
  };
}

}  // namespace knutpunkt
