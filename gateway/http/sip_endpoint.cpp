#include "http/sip_endpoint.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/clock.h"
#include "http/policy_refusal.h"
#include "http/request_fields.h"
#include "log/log.h"

namespace knutpunkt::http {
namespace {

namespace bhttp = boost::beast::http;
using nlohmann::json;

constexpr std::string_view kPlansPath = "/v1/sip-plans";

// "/plan/insatser/0/end_date" -> "plan.insatser[0].end_date": the request-field style every other
// endpoint names its fields in.
std::string field_name(const std::string& pointer) {
  std::string out;
  std::size_t i = pointer.starts_with("/") ? 1 : 0;
  while (i <= pointer.size()) {
    const std::size_t next = std::min(pointer.find('/', i), pointer.size());
    std::string token = pointer.substr(i, next - i);
    const bool index = !token.empty() && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (index) out += "[" + token + "]";
    else out += (out.empty() ? "" : ".") + token;
    i = next + 1;
  }
  return out;
}

void add_errors(const std::vector<sip::SipError>& errors, std::vector<InvalidParam>& invalid) {
  for (const sip::SipError& e : errors) invalid.push_back({field_name(e.field), e.code, e.message});
}

// Plan, participant and caseworker ids are the coordinator's (UUIDs, "p1") or the case system's:
// anything else names none. Checked by hand, not with std::regex: the id is outside input.
bool is_sip_id(const std::string& id) {
  const auto allowed = [](char c, bool first) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           (!first && (c == '.' || c == '_' || c == ':' || c == '-'));
  };
  if (id.empty() || id.size() > 64 || !allowed(id.front(), true)) return false;
  return std::all_of(id.begin() + 1, id.end(), [&](char c) { return allowed(c, false); });
}

// The caseworker acting, whose id the plan's history keeps: a plain id, never a name.
Caseworker read_actor(const json& body, std::vector<InvalidParam>& invalid) {
  Caseworker caseworker = read_caseworker(body, invalid);
  if (!caseworker.id.empty() && !is_sip_id(caseworker.id)) {
    invalid.push_back({"caseworker.id", "bad_format", "must be an id: letters, digits, . _ : - (at most 64)"});
  }
  return caseworker;
}

Problem failure_problem(const Failure& f) {
  std::vector<InvalidParam> invalid;
  if (!f.field.empty()) invalid.push_back({field_name(f.field), f.code, f.message});
  const unsigned status = failure_status(f.kind);
  const char* title = status == 404   ? "Not found"
                      : status == 412 ? "Precondition failed"
                      : status == 403 ? "Not allowed by consent"
                      : status >= 500 ? "Unavailable"
                                      : "Not possible in the plan's state";
  return {status, f.code, title, f.message, std::move(invalid), {}};
}

std::string etag(int version) {
  return "\"" + std::to_string(version) + "\"";
}

// If-Match: "3" or 3, into `version` (left empty when absent); false when unreadable.
bool read_if_match(const Request& request, std::optional<int>& version) {
  auto it = request.find(bhttp::field::if_match);
  if (it == request.end()) return true;
  std::string_view v = to_std(it->value());
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || end != v.data() + v.size() || n < 1) return false;
  version = n;
  return true;
}

json outcome_json(const sip_coordination::SipOutcome& outcome) {
  return {{"plan", outcome.record.plan},
          {"delivery", {{"sent_to", outcome.sent}, {"not_sent", outcome.not_sent}}},
          {"event_ids", outcome.event_ids}};
}

Response with_etag(Response response, int version) {
  response.set(bhttp::field::etag, etag(version));
  return response;
}

}  // namespace

SipInitiationParse parse_sip_initiation(const json& body, std::chrono::year_month_day today) {
  SipInitiationParse parse;
  auto& invalid = parse.invalid;
  refuse_unknown_fields(body, "",
                        {"case_id", "person_id", "purpose", "caseworker", "protected_identity", "consent", "coordinator"},
                        invalid);
  parse.case_id = read_text(body, "case_id", "case_id", true, invalid, 64);
  if (auto person = read_person_id(body, "person_id", "person_id", today, invalid)) {
    parse.initiation.person = {person->digits, person->kind};
  }
  parse.purpose = read_text(body, "purpose", "purpose", true, invalid);
  parse.caseworker = read_actor(body, invalid);
  parse.initiation.protected_identity = read_flag(body, "protected_identity", false, invalid);

  auto consent = body.find("consent");
  if (consent == body.end() || !consent->is_object()) {
    invalid.push_back({"consent", consent == body.end() ? "missing" : "not_an_object",
                       "is required: the client's consent to the SIP and its scope"});
  } else {
    refuse_unknown_fields(*consent, "consent.", {"document_reference", "given_at", "expires_at", "organisations"}, invalid);
    auto& terms = parse.initiation.consent;
    terms.document_reference = read_text(*consent, "document_reference", "consent.document_reference", true, invalid, 64);
    terms.given_at = read_text(*consent, "given_at", "consent.given_at", true, invalid, 40);
    if (!terms.given_at.empty() && (terms.given_at.size() <= 10 || !parse_utc(terms.given_at))) {
      invalid.push_back({"consent.given_at", "bad_date_time", "must be a UTC date-time YYYY-MM-DDTHH:MM:SS[.fff]Z"});
    }
    if (consent->contains("expires_at")) {
      const std::string expires = read_date(*consent, "expires_at", "consent.expires_at", true, invalid);
      if (!expires.empty()) terms.expires_at = expires;
    }
    auto organisations = consent->find("organisations");
    if (organisations == consent->end() || !organisations->is_array() || organisations->empty()) {
      invalid.push_back({"consent.organisations", organisations == consent->end() ? "missing" : "empty",
                         "must list the organisations the client agreed may take part and share"});
    } else {
      for (std::size_t i = 0; i < organisations->size(); ++i) {
        const json& o = (*organisations)[i];
        if (!o.is_string()) {
          invalid.push_back({"consent.organisations[" + std::to_string(i) + "]", "not_a_string", "must be an organisation id"});
        } else {
          terms.organisations.push_back(o.get<std::string>());
        }
      }
    }
  }
  if (auto coordinator = body.find("coordinator"); coordinator == body.end()) {
    invalid.push_back({"coordinator", "missing", "is required: the caseworker's unit, which coordinates"});
  } else if (auto p = sip::participant_from_json(*coordinator, "/coordinator")) {
    parse.initiation.coordinator = std::move(*p);
  } else {
    add_errors(p.error(), invalid);
  }
  return parse;
}

SipChangeParse parse_sip_change(const std::string& action, const std::string& participant_id, const json& body) {
  using namespace sip_coordination;
  SipChangeParse parse;
  auto& invalid = parse.invalid;
  parse.caseworker = read_actor(body, invalid);
  const auto member = [&](const char* key) -> const json* {
    auto it = body.find(key);
    if (it == body.end()) {
      invalid.push_back({key, "missing", "is required"});
      return nullptr;
    }
    return &*it;
  };
  if (action == "participants") {
    refuse_unknown_fields(body, "", {"caseworker", "participant"}, invalid);
    if (const json* p = member("participant")) {
      if (auto participant = sip::participant_from_json(*p, "/participant")) parse.change = InviteParticipant{std::move(*participant)};
      else add_errors(participant.error(), invalid);
    }
  } else if (action == "removal") {
    refuse_unknown_fields(body, "", {"caseworker"}, invalid);
    parse.change = RemoveParticipant{participant_id};
  } else if (action == "replies") {
    refuse_unknown_fields(body, "", {"caseworker", "participant_id", "reply"}, invalid);
    const std::string id = read_text(body, "participant_id", "participant_id", true, invalid, 64);
    const std::string reply = read_code(body, "reply", "reply", true, {"accepted", "declined"}, invalid);
    parse.change = RecordReply{id, reply == "declined" ? sip::Reply::declined : sip::Reply::accepted};
  } else if (action == "meeting") {
    refuse_unknown_fields(body, "", {"caseworker", "meeting"}, invalid);
    if (const json* m = member("meeting")) {
      if (auto meeting = sip::meeting_from_json(*m, "/meeting")) parse.change = ScheduleMeeting{std::move(*meeting)};
      else add_errors(meeting.error(), invalid);
    }
  } else if (action == "establishment") {
    refuse_unknown_fields(body, "", {"caseworker", "plan"}, invalid);
    if (const json* c = member("plan")) {
      if (auto content = sip::content_from_json(*c, "/plan")) parse.change = EstablishPlan{std::move(*content)};
      else add_errors(content.error(), invalid);
    }
  } else if (action == "revisions") {
    refuse_unknown_fields(body, "", {"caseworker", "revision"}, invalid);
    if (const json* r = member("revision")) {
      if (auto revision = sip::revision_from_json(*r, "/revision")) parse.change = RevisePlan{std::move(*revision)};
      else add_errors(revision.error(), invalid);
    }
  } else if (action == "followups") {
    refuse_unknown_fields(body, "", {"caseworker", "next_followup_due", "close_reason"}, invalid);
    const bool next = body.contains("next_followup_due");
    const bool closes = body.contains("close_reason");
    if (next == closes) {
      invalid.push_back({"next_followup_due", "one_of",
                         "give either next_followup_due (the plan goes on) or close_reason (the plan ends)"});
    } else if (next) {
      const std::string due = read_date(body, "next_followup_due", "next_followup_due", true, invalid);
      parse.change = RecordFollowup{sip::NextFollowup{due}};
    } else {
      const std::string reason = read_text(body, "close_reason", "close_reason", true, invalid, 2000);
      parse.change = RecordFollowup{sip::CloseAfterFollowup{reason}};
    }
  } else if (action == "closure") {
    refuse_unknown_fields(body, "", {"caseworker", "reason"}, invalid);
    parse.change = ClosePlan{read_text(body, "reason", "reason", true, invalid, 2000)};
  }
  if (!invalid.empty()) parse.change.reset();
  return parse;
}

namespace {

// Audited like every other refusal: probing for plan ids is what a log check looks for.
Problem not_found(const char* detail) {
  return {404, "not_found", "Not found", detail, {}, {}};
}

}  // namespace

void SipEndpoint::initiate(Exchange exchange) {
  exchange.audit_context()["action"] = "initiate";
  const auto body = exchange.json_object();
  if (!body) return;
  SipInitiationParse parse = parse_sip_initiation(*body, today_utc());
  // What could be read, so an auditor sees who tried to start a plan about whom.
  exchange.audit_context()["case_id"] = parse.case_id;
  exchange.audit_context()["person_id"] = parse.initiation.person.id;
  exchange.audit_context()["caseworker"] = {{"id", parse.caseworker.id}};
  if (!parse.invalid.empty()) {
    return exchange.refuse({400, "invalid_request", "Invalid SIP initiative", "one or more fields are invalid", std::move(parse.invalid), {}});
  }
  const ClientConfig& client = exchange.client();
  auto authorized = authorizer_.authorize(
      client,
      authorization::ExchangeRequest{kOperationSip, "", parse.purpose, parse.case_id, parse.initiation.person.id, "", "", ""},
      std::chrono::system_clock::now());
  if (!authorized) {
    exchange.audit_context()["policy"] = authorized.error().detail;
    return exchange.refuse(policy_problem(authorized.error(), "person_id"));
  }
  coordinator_.initiate(
      *authorized, {client.id, parse.caseworker.id}, std::move(parse.initiation),
      [exchange](std::expected<sip_coordination::SipOutcome, Failure> outcome) mutable {
        if (!outcome) return exchange.refuse(failure_problem(outcome.error()));
        log::info("sip.initiated", {{"plan_id", outcome->record.plan_id}, {"audit_seq", outcome->audit_seq}});
        Response response = with_etag(make_json_response(201, outcome_json(*outcome)), outcome->record.version);
        response.set(bhttp::field::location, std::string(kPlansPath) + "/" + outcome->record.plan_id);
        exchange.reply(std::move(response));
      });
}

void SipEndpoint::read(Exchange exchange) {
  const std::string& plan_id = exchange.param("plan_id");
  const bool earlier = exchange.route().ends_with("{version}");
  const std::optional<std::string> version_text =
      earlier ? std::optional<std::string>(exchange.param("version")) : std::nullopt;
  if (!is_sip_id(plan_id) || (version_text && !is_sip_id(*version_text))) {
    return exchange.refuse(not_found("no such resource"));
  }
  std::optional<int> version;
  if (version_text) {
    int number = 0;
    auto [end, ec] = std::from_chars(version_text->data(), version_text->data() + version_text->size(), number);
    if (ec != std::errc{} || end != version_text->data() + version_text->size() || number < 1) {
      return exchange.refuse(not_found("no such version"));
    }
    version = number;
  }
  exchange.audit_context()["action"] = "read";
  const ClientConfig& client = exchange.client();
  auto record = coordinator_.plan(client.id, plan_id);
  if (!record) return exchange.refuse(failure_problem(record.error()));
  json document = record->plan;
  if (version) {
    auto earlier_plan = coordinator_.plan_version(client.id, plan_id, *version);
    if (!earlier_plan) return exchange.refuse(failure_problem(earlier_plan.error()));
    document = std::move(*earlier_plan);
  }
  // Reading a plan is reading secret personal data: audited before it is answered.
  json body = {{"client", client.id},
               {"case_id", record->case_id},
               {"person_id", record->person_id},
               {"plan_id", plan_id},
               {"plan_version", version.value_or(record->version)}};
  const int current = record->version;
  exchange.commit({"sip.read", std::move(body), {}}, "the read could not be audited; try again",
                  [document = std::move(document), current, version](const AuditReceipt&) {
                    Response response = make_json_response(200, document);
                    if (!version) response.set(bhttp::field::etag, etag(current));
                    return response;
                  });
}

void SipEndpoint::change(Exchange exchange, const std::string& action) {
  const std::string& plan_id = exchange.param("plan_id");
  const std::string participant_id = action == "removal" ? exchange.param("participant_id") : "";
  if (!is_sip_id(plan_id) || (!participant_id.empty() && !is_sip_id(participant_id))) {
    return exchange.refuse(not_found("no such resource"));
  }
  exchange.audit_context()["action"] = action;
  std::optional<int> if_match;
  if (!read_if_match(exchange.request(), if_match)) {
    return exchange.refuse({400, "invalid_request", "Invalid If-Match", "If-Match must be the plan's version, e.g. \"3\"",
                            {{"If-Match", "bad_format", "must be the version as the ETag gave it"}}, {}});
  }
  const auto body = exchange.json_object();
  if (!body) return;
  SipChangeParse parse = parse_sip_change(action, participant_id, *body);
  exchange.audit_context()["caseworker"] = {{"id", parse.caseworker.id}};
  if (!parse.change) {
    return exchange.refuse({400, "invalid_request", "Invalid SIP change", "one or more fields are invalid", std::move(parse.invalid), {}});
  }
  coordinator_.change(
      {exchange.client().id, parse.caseworker.id}, plan_id, if_match, std::move(*parse.change),
      [exchange](std::expected<sip_coordination::SipOutcome, Failure> outcome) mutable {
        if (!outcome) return exchange.refuse(failure_problem(outcome.error()));
        log::info("sip.changed", {{"plan_id", outcome->record.plan_id},
                                  {"version", outcome->record.version},
                                  {"audit_seq", outcome->audit_seq}});
        exchange.reply(with_etag(make_json_response(200, outcome_json(*outcome)), outcome->record.version));
      });
}

}  // namespace knutpunkt::http
