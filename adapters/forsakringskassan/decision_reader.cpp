#include "decision_reader.h"

#include <optional>
#include <regex>

#include "core/clock.h"
#include "policy/person_id.h"

namespace knutpunkt::forsakringskassan {

namespace {

// Three levels are all a notification has (beslut/belopp/varde); anything much deeper is not one,
// and is refused before the recursive parser descends into it.
constexpr std::size_t kMaxDepth = 16;

using Fail = std::unexpected<InboundError>;

// schemas/forsakringskassan/beslutsnotifiering.schema.json: FK's own id, kept as our dedup key.
bool is_notification_id(const std::string& s) {
  static const std::regex id("[A-Za-z0-9-]{1,64}");
  return std::regex_match(s, id);
}

bool is_twelve_digits(const std::string& s) {
  static const std::regex digits("[0-9]{12}");
  return std::regex_match(s, digits);
}

const nlohmann::json* member(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// An optional object whose members are required once it is there: the mapping reads each fact
// on its own and would take a `belopp` without `varde` as "no amount", which reads like a decision
// without money rather than a broken message.
std::optional<InboundError> complete_if_present(const nlohmann::json& beslut, const char* key,
                                                std::initializer_list<const char*> required) {
  const nlohmann::json* object = member(beslut, key);
  if (object == nullptr) return std::nullopt;
  const std::string field = std::string("/beslut/") + key;
  if (!object->is_object()) return InboundError{"field_invalid", field, "must be an object"};
  for (const char* inner : required) {
    if (member(*object, inner) == nullptr) return InboundError{"field_missing", field + "/" + inner, "is required"};
  }
  return std::nullopt;
}

std::expected<nlohmann::json, InboundError> parse_notification(std::string_view body, std::size_t max_bytes) {
  if (body.size() > max_bytes) {
    return Fail(InboundError{"too_large", "", "the notification is larger than this partner's limit"});
  }
  if (mapping::json_nesting_depth(body) > kMaxDepth) {
    return Fail(InboundError{"field_invalid", "", "the notification is nested too deeply"});
  }
  nlohmann::json message = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded()) return Fail(InboundError{"invalid_json", "", "the body is not valid JSON"});
  if (!message.is_object()) return Fail(InboundError{"field_invalid", "", "the notification must be a JSON object"});
  return message;
}

std::expected<std::string, InboundError> notification_id(const nlohmann::json& message) {
  const nlohmann::json* id = member(message, "notifieringsId");
  if (id == nullptr) return Fail(InboundError{"field_missing", "/notifieringsId", "is required"});
  if (!id->is_string() || !is_notification_id(id->get<std::string>())) {
    return Fail(InboundError{"field_invalid", "/notifieringsId", "must be 1 to 64 letters, digits or '-'"});
  }
  return id->get<std::string>();
}

std::expected<void, InboundError> read_person(const nlohmann::json& message, InboundReport& out) {
  const nlohmann::json* person = member(message, "personnummer");
  if (person == nullptr) return Fail(InboundError{"field_missing", "/personnummer", "is required"});
  // The wire form is the 12-digit one only; parse_person_id also takes 10-digit and hyphenated
  // forms, which FK does not send, so a non-12-digit value is a broken message, not a variant.
  if (!person->is_string() || !is_twelve_digits(person->get<std::string>())) {
    return Fail(InboundError{"field_invalid", "/personnummer", "must be 12 digits (YYYYMMDDNNNC)"});
  }
  auto person_id = policy::parse_person_id(person->get<std::string>(), today_utc());
  if (!person_id) {
    // The reason names the rule broken (check digit, date), never the value.
    return Fail(InboundError{"field_invalid", "/personnummer", person_id.error().reason});
  }
  out.person_id = person_id->digits;
  out.id_kind = std::string(policy::to_string(person_id->kind));
  return {};
}

// The protection flag and the decision's shape, checked before the mapping reads the facts.
std::expected<void, InboundError> check_decision(const nlohmann::json& message) {
  // An absent flag must not read as "not protected": FK always says which it is.
  const nlohmann::json* skyddad = member(message, "skyddad");
  if (skyddad == nullptr) return Fail(InboundError{"field_missing", "/skyddad", "is required"});
  if (!skyddad->is_boolean()) return Fail(InboundError{"field_invalid", "/skyddad", "must be true or false"});

  const nlohmann::json* beslut = member(message, "beslut");
  if (beslut == nullptr) return Fail(InboundError{"field_missing", "/beslut", "is required"});
  if (!beslut->is_object()) return Fail(InboundError{"field_invalid", "/beslut", "must be an object"});
  if (auto e = complete_if_present(*beslut, "belopp", {"varde", "valuta", "period"})) return Fail(*e);
  if (auto e = complete_if_present(*beslut, "period", {"from", "tom"})) return Fail(*e);
  return {};
}

}  // namespace

DecisionReader::DecisionReader(FkConfig config, mapping::VersionedMapping beslutsnotifiering)
    : config_(std::move(config)), beslutsnotifiering_(std::move(beslutsnotifiering)) {}

std::expected<InboundReport, InboundError> DecisionReader::parse_report(std::string_view body) const {
  auto message = parse_notification(body, config_.max_notification_bytes);
  if (!message) return Fail(std::move(message.error()));
  InboundReport out;
  out.report_type = kBeslutsnotifiering;
  auto id = notification_id(*message);
  if (!id) return Fail(std::move(id.error()));
  out.partner_message_id = std::move(*id);
  if (auto person = read_person(*message, out); !person) return Fail(std::move(person.error()));
  if (auto decision = check_decision(*message); !decision) return Fail(std::move(decision.error()));

  auto mapped = beslutsnotifiering_.apply(*message);
  if (!mapped) {
    const auto& e = mapped.error();
    const std::string code = e.code == "value_missing" ? "field_missing" : "field_invalid";
    return Fail(InboundError{code, e.field, e.message});
  }
  if (mapped->events.size() != 1) {
    // The shipped mapping makes exactly one; an edited one that does not is a configuration bug.
    return Fail(InboundError{"field_invalid", "/beslut", "the notification must carry exactly one decision"});
  }
  // The mapping's top-level occurred_at has checked `skapad` (RFC 3339 date-time, required).
  if (const nlohmann::json* skapad = member(*message, "skapad"); skapad != nullptr && skapad->is_string()) {
    out.reported_at = skapad->get<std::string>();
  }
  out.protected_identity = mapped->protected_identity;
  // Members FK's schema does not name go to the audit record; FK still gets its 2xx, since a
  // refused notification would be repeated unchanged and never accepted.
  out.deviations = std::move(mapped->deviations);
  for (auto& event : mapped->events) {
    out.events.push_back(ReportedEvent{std::move(event.type), std::move(event.occurred_at), std::move(event.facts)});
  }
  return out;
}

}  // namespace knutpunkt::forsakringskassan
