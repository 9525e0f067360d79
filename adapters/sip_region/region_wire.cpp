#include "region_wire.h"

#include <algorithm>
#include <array>
#include <optional>
#include <regex>
#include <span>
#include <string_view>
#include <utility>

#include "core/clock.h"
#include "wire_formats.h"

namespace knutpunkt::sip_region {
namespace {

using nlohmann::json;

using CodePair = std::pair<std::string_view, std::string_view>;
using CodeTable = std::span<const CodePair>;

// Code lists of the region wire format (README.md); the plan's English codes on the left.
constexpr CodePair kStatus[] = {{"initiated", "INITIERAD"},
                                {"invited", "KALLAD"},
                                {"meeting_scheduled", "MOTE_PLANERAT"},
                                {"plan_established", "PLAN_FASTSTALLD"},
                                {"followed_up", "UPPFOLJD"},
                                {"closed", "AVSLUTAD"}};
constexpr CodePair kOrganisationKind[] = {{"kommun", "KOMMUN"},
                                          {"region", "REGION"},
                                          {"forsakringskassan", "FORSAKRINGSKASSAN"},
                                          {"arbetsformedlingen", "ARBETSFORMEDLINGEN"},
                                          {"other", "ANNAN"}};
constexpr CodePair kInvitationStatus[] = {{"not_invited", "EJ_KALLAD"},
                                          {"invited", "KALLAD"},
                                          {"accepted", "DELTAR"},
                                          {"declined", "DELTAR_INTE"},
                                          {"removed", "BORTTAGEN"}};
constexpr CodePair kMeetingKind[] = {{"fysiskt", "FYSISKT"}, {"digitalt", "DIGITALT"}};
constexpr CodePair kPersonKind[] = {{"personnummer", "PERSONNUMMER"}, {"samordningsnummer", "SAMORDNINGSNUMMER"}};
constexpr CodePair kChange[] = {{"initiated", "INITIERAD"},
                                {"invited", "KALLAD"},
                                {"participant_removed", "DELTAGARE_BORTTAGEN"},
                                {"reply_received", "SVAR_MOTTAGET"},
                                {"meeting_scheduled", "MOTE_PLANERAT"},
                                {"plan_established", "PLAN_FASTSTALLD"},
                                {"plan_revised", "PLAN_REVIDERAD"},
                                {"followed_up", "UPPFOLJD"},
                                {"consent_withdrawn", "SAMTYCKE_ATERKALLAT"},
                                {"closed", "AVSLUTAD"}};

// The plan id is the only identifier in a path, so it must be a plain id (the sip-plan.v1 `id`
// pattern) and must not look like a personnummer or samordningsnummer (all digits, 10 or 12).
bool is_plain_id(const std::string& id) {
  if (!is_wire_id(id)) return false;
  const bool digits_only = std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
  return !(digits_only && id.size() >= 10);
}

enum class Kind { text, id, date, date_time };

// Reads members of the internal payload and records the first problem; what it returns after a
// problem is a null placeholder that the caller throws away.
class PayloadReader {
 public:
  std::optional<RenderError> error;

  void fail(std::string code, std::string field, std::string message) {
    if (!error) error = RenderError{std::move(code), std::move(field), std::move(message)};
  }

  const json* member(const json& object, const std::string& pointer, const char* key, bool nullable) {
    const std::string field = pointer + "/" + key;
    if (!object.is_object()) {
      fail("value_invalid", pointer, "must be an object");
      return nullptr;
    }
    auto it = object.find(key);
    if (it == object.end() || (it->is_null() && !nullable)) {
      fail("value_missing", field, "is required");
      return nullptr;
    }
    return &*it;
  }

  // A string (non-empty unless `allow_empty`); null stays null when `nullable`.
  json text(const json& object, const std::string& pointer, const char* key, Kind kind = Kind::text,
            bool nullable = false, bool allow_empty = false) {
    const json* value = member(object, pointer, key, nullable);
    if (!value || value->is_null()) return nullptr;
    const std::string field = pointer + "/" + key;
    if (!value->is_string() || (!allow_empty && value->get_ref<const std::string&>().empty())) {
      fail("value_invalid", field, allow_empty ? "must be a string" : "must be a non-empty string");
      return nullptr;
    }
    const auto& s = value->get_ref<const std::string&>();
    const bool ok = kind == Kind::text || (kind == Kind::id && is_plain_id(s)) ||
                    (kind == Kind::date && is_wire_date(s)) || (kind == Kind::date_time && is_wire_date_time(s));
    if (!ok) {
      fail("value_invalid", field,
           kind == Kind::id     ? "must be a plain id"
           : kind == Kind::date ? "must be a date"
                                : "must be a UTC date-time");
      return nullptr;
    }
    return *value;
  }

  json version(const json& object, const std::string& pointer, const char* key) {
    const json* value = member(object, pointer, key, false);
    if (!value) return nullptr;
    if (!value->is_number_integer() || value->get<long long>() < 1) {
      fail("value_invalid", pointer + "/" + key, "must be an integer of at least 1");
      return nullptr;
    }
    return *value;
  }

  json code(const json& object, const std::string& pointer, const char* key, CodeTable table) {
    const json* value = member(object, pointer, key, false);
    if (!value) return nullptr;
    if (value->is_string()) {
      for (const auto& [from, to] : table) {
        if (value->get_ref<const std::string&>() == from) return std::string(to);
      }
    }
    fail("value_invalid", pointer + "/" + key, "is not a known code");
    return nullptr;
  }

  // Each element of an array member through `each(element, element_pointer)`.
  template <typename Each>
  json array(const json& object, const std::string& pointer, const char* key, Each each) {
    const json* value = member(object, pointer, key, false);
    if (!value) return nullptr;
    const std::string field = pointer + "/" + key;
    if (!value->is_array()) {
      fail("value_invalid", field, "must be an array");
      return nullptr;
    }
    json out = json::array();
    for (std::size_t i = 0; i < value->size() && !error; ++i) {
      out.push_back(each((*value)[i], field + "/" + std::to_string(i)));
    }
    return out;
  }

  const json* object_member(const json& object, const std::string& pointer, const char* key, bool nullable) {
    const json* value = member(object, pointer, key, nullable);
    if (!value || value->is_null()) return nullptr;
    if (!value->is_object()) {
      fail("value_invalid", pointer + "/" + key, "must be an object");
      return nullptr;
    }
    return value;
  }
};

json wire_person(PayloadReader& in, const json& person, const std::string& at) {
  return {{"identitet", in.text(person, at, "id")}, {"identitetstyp", in.code(person, at, "kind", kPersonKind)}};
}

json wire_consent(PayloadReader& in, const json& consent, const std::string& c) {
  return {{"referens", in.text(consent, c, "reference")},
          {"omfattning", in.array(consent, c, "scope",
                                  [&](const json& e, const std::string& at) -> json {
                                    if (!e.is_string() || e.get_ref<const std::string&>().empty()) {
                                      in.fail("value_invalid", at, "must be a string");
                                    }
                                    return e;
                                  })},
          {"lamnat", in.text(consent, c, "given_at", Kind::date_time)},
          {"giltigtTom", in.text(consent, c, "expires_at", Kind::date, true)},
          {"aterkallat", in.text(consent, c, "withdrawn_at", Kind::date_time, true)}};
}

json wire_participant(PayloadReader& in, const json& e, const std::string& at) {
  json d = {{"deltagarId", in.text(e, at, "participant_id", Kind::id)},
            {"organisation", in.text(e, at, "organisation")},
            {"organisationstyp", in.code(e, at, "organisation_kind", kOrganisationKind)},
            {"enhet", in.text(e, at, "unit")},
            {"roll", in.text(e, at, "role")},
            {"kallelsestatus", in.code(e, at, "invitation_status", kInvitationStatus)},
            {"svarstidpunkt", in.text(e, at, "replied_at", Kind::date_time, true)}};
  if (const json* contact = in.object_member(e, at, "contact", false)) {
    const std::string k = at + "/contact";
    d["kontakt"] = {{"namn", in.text(*contact, k, "name", Kind::text, false, true)},
                    {"telefon", in.text(*contact, k, "phone", Kind::text, false, true)},
                    {"epost", in.text(*contact, k, "email", Kind::text, false, true)}};
  }
  return d;
}

json wire_need(PayloadReader& in, const json& e, const std::string& at) {
  return {{"behovId", in.text(e, at, "need_id", Kind::id)}, {"beskrivning", in.text(e, at, "description")}};
}

json wire_goal(PayloadReader& in, const json& e, const std::string& at) {
  return {{"malId", in.text(e, at, "goal_id", Kind::id)},
          {"beskrivning", in.text(e, at, "description")},
          {"behov", in.array(e, at, "need_ids", [&](const json& id, const std::string& id_at) -> json {
             if (!id.is_string() || !is_plain_id(id.get<std::string>())) {
               in.fail("value_invalid", id_at, "must be a plain id");
             }
             return id;
           })}};
}

json wire_insats(PayloadReader& in, const json& e, const std::string& at) {
  return {{"insatsId", in.text(e, at, "insats_id", Kind::id)},
          {"beskrivning", in.text(e, at, "description")},
          {"ansvarigHuvudman", in.code(e, at, "responsible_huvudman", kOrganisationKind)},
          {"ansvarigDeltagare", in.text(e, at, "responsible_participant_id", Kind::id)},
          {"startdatum", in.text(e, at, "start_date", Kind::date)},
          {"slutdatum", in.text(e, at, "end_date", Kind::date, true)}};
}

json wire_action(PayloadReader& in, const json& e, const std::string& at) {
  return {{"beskrivning", in.text(e, at, "description")}, {"utforare", in.text(e, at, "by")}};
}

json wire_meeting(PayloadReader& in, const json& meeting, const std::string& m, bool protected_identity) {
  json mote = {{"tidpunkt", in.text(meeting, m, "at", Kind::date_time)},
               {"form", in.code(meeting, m, "kind", kMeetingKind)}};
  // A protected person's plan carries no place at all (skyddade personuppgifter):
  // a venue near the client's home would tell where the client lives.
  if (!protected_identity) {
    if (auto place = meeting.find("place"); place != meeting.end() && !place->is_null()) {
      if (!place->is_string()) {
        in.fail("value_invalid", m + "/place", "must be a string");
      } else if (!place->get_ref<const std::string&>().empty()) {
        mote["plats"] = *place;
      }
    }
  }
  return mote;
}

json wire_history_entry(PayloadReader& in, const json& e, const std::string& at) {
  return {{"version", in.version(e, at, "version")},
          {"tidpunkt", in.text(e, at, "at", Kind::date_time)},
          {"av", in.text(e, at, "by", Kind::id)},
          {"handelse", in.code(e, at, "change", kChange)},
          {"sammanfattning", in.text(e, at, "summary", Kind::text, false, true)}};
}

// An array member of the plan, each element translated by `wire`.
json wire_list(PayloadReader& in, const json& plan, const char* key,
               json (*wire)(PayloadReader&, const json&, const std::string&)) {
  return in.array(plan, "/plan", key, [&](const json& e, const std::string& at) { return wire(in, e, at); });
}

json translate_plan(PayloadReader& in, const json& plan, bool protected_identity) {
  const std::string p = "/plan";
  if (!plan.is_object()) {
    in.fail("value_invalid", p, "must be an object");
    return nullptr;
  }
  json out = json::object();
  out["planId"] = in.text(plan, p, "plan_id", Kind::id);
  out["version"] = in.version(plan, p, "version");
  out["status"] = in.code(plan, p, "status", kStatus);
  if (const json* person = in.object_member(plan, p, "person", false)) {
    out["person"] = wire_person(in, *person, p + "/person");
  }
  if (const json* consent = in.object_member(plan, p, "consent", false)) {
    out["samtycke"] = wire_consent(in, *consent, p + "/consent");
  }
  out["deltagare"] = wire_list(in, plan, "participants", wire_participant);
  out["behov"] = wire_list(in, plan, "needs", wire_need);
  out["mal"] = wire_list(in, plan, "goals", wire_goal);
  out["insatser"] = wire_list(in, plan, "insatser", wire_insats);
  out["andrasAtgarder"] = wire_list(in, plan, "actions_by_others", wire_action);
  out["huvudansvar"] = in.text(plan, p, "huvudansvar", Kind::id, true);
  out["samordnare"] = in.text(plan, p, "coordinator", Kind::id);
  out["mote"] = nullptr;
  if (const json* meeting = in.object_member(plan, p, "meeting", true)) {
    out["mote"] = wire_meeting(in, *meeting, p + "/meeting", protected_identity);
  }
  out["uppfoljningsdatum"] = in.text(plan, p, "followup_due", Kind::date, true);
  out["initierad"] = in.text(plan, p, "initiated_at", Kind::date_time);
  out["avslutsorsak"] = in.text(plan, p, "close_reason", Kind::text, true);
  out["historik"] = wire_list(in, plan, "history", wire_history_entry);
  return out;
}

struct WireKind {
  std::string_view type;
  std::string_view meddelandetyp;
};
constexpr std::array<WireKind, 6> kKinds = {{{"sip.invitation", "KALLELSE"},
                                             {"sip.plan_updated", "PLANUPPDATERING"},
                                             {"sip.participant_removed", "DELTAGARE_BORTTAGEN"},
                                             {"sip.consent_withdrawn", "SAMTYCKE_ATERKALLAT"},
                                             {"sip.closed", "PLAN_AVSLUTAD"},
                                             {"sip.followup_due", "UPPFOLJNING_FORFALLER"}}};

// What every region message says about its plan, its sender and its recipient.
struct Envelope {
  json plan_id;
  json plan_version;
  json created_at;
  bool protected_identity = false;
  json mottagare = json::object();
  json avsandare = json::object();
};

Envelope read_envelope(PayloadReader& in, const json& payload) {
  const std::string root;
  Envelope envelope;
  envelope.plan_id = in.text(payload, root, "plan_id", Kind::id);
  envelope.plan_version = in.version(payload, root, "plan_version");
  envelope.created_at = in.text(payload, root, "created_at", Kind::date_time);
  if (const json* flag = in.member(payload, root, "protected_identity", false)) {
    if (flag->is_boolean())
      envelope.protected_identity = flag->get<bool>();
    else
      in.fail("value_invalid", "/protected_identity", "must be a boolean");
  }
  if (const json* recipient = in.object_member(payload, root, "recipient", false)) {
    envelope.mottagare["deltagarId"] = in.text(*recipient, "/recipient", "participant_id", Kind::id);
    envelope.mottagare["organisation"] = in.text(*recipient, "/recipient", "organisation");
    if (recipient->contains("unit")) envelope.mottagare["enhet"] = in.text(*recipient, "/recipient", "unit");
  }
  if (const json* sender = in.object_member(payload, root, "sender", false)) {
    envelope.avsandare["organisation"] = in.text(*sender, "/sender", "organisation");
    envelope.avsandare["deltagarId"] = in.text(*sender, "/sender", "participant_id", Kind::id);
  }
  return envelope;
}

// The payload's plan in the region's terms.
std::expected<json, RenderError> plan_matching_envelope(PayloadReader& in, const json& payload,
                                                        const Envelope& envelope) {
  const json* plan = in.member(payload, "", "plan", false);
  if (!plan) return std::unexpected(*in.error);
  json translated = translate_plan(in, *plan, envelope.protected_identity);
  if (in.error) return std::unexpected(*in.error);
  // The envelope and the plan must agree, or the region would file content under another plan.
  if (translated["planId"] != envelope.plan_id) {
    return std::unexpected(RenderError{"value_invalid", "/plan/plan_id", "differs from /plan_id"});
  }
  if (translated["version"] != envelope.plan_version) {
    return std::unexpected(RenderError{"value_invalid", "/plan/version", "differs from /plan_version"});
  }
  return translated;
}

}  // namespace

std::expected<nlohmann::json, RenderError> region_plan(const nlohmann::json& plan, bool protected_identity) {
  PayloadReader in;
  json out = translate_plan(in, plan, protected_identity);
  if (in.error) return std::unexpected(*in.error);
  return out;
}

std::expected<WireRequest, RenderError> render_region_message(const std::string& message_id, const std::string& type,
                                                              const nlohmann::json& payload) {
  const auto kind = std::find_if(kKinds.begin(), kKinds.end(), [&](const WireKind& k) { return k.type == type; });
  if (kind == kKinds.end()) {
    return std::unexpected(RenderError{"unsupported_type", "/type", "a region receives sip.* plan messages only"});
  }
  if (message_id.empty()) return std::unexpected(RenderError{"value_missing", "/id", "the message id is required"});
  if (!payload.is_object()) return std::unexpected(RenderError{"value_invalid", "", "the payload must be an object"});

  PayloadReader in;
  const Envelope envelope = read_envelope(in, payload);
  if (in.error) return std::unexpected(*in.error);

  json body = {{"meddelandeId", message_id},     {"meddelandetyp", std::string(kind->meddelandetyp)},
               {"planId", envelope.plan_id},     {"planversion", envelope.plan_version},
               {"skapad", envelope.created_at},  {"avsandare", envelope.avsandare},
               {"mottagare", envelope.mottagare}};
  const std::string plan_path = "/sip/planer/" + envelope.plan_id.get<std::string>();
  WireRequest request{"POST", plan_path + "/meddelanden", json()};

  if (type == "sip.consent_withdrawn") {
    // Without content (12 kap. OSL: the consent that lifted secrecy is gone): not even whether
    // the client has protected personal data, which is itself a fact about the person.
    request.body = std::move(body);
    return request;
  }
  body["skyddadePersonuppgifter"] = envelope.protected_identity;

  if (type == "sip.invitation" || type == "sip.plan_updated") {
    auto plan = plan_matching_envelope(in, payload, envelope);
    if (!plan) return std::unexpected(std::move(plan.error()));
    body["plan"] = std::move(*plan);
    if (type == "sip.invitation") {
      request.path = "/sip/kallelser";
    } else {
      request.method = "PUT";
      request.path = plan_path;
    }
  } else if (type == "sip.closed") {
    body["orsak"] = in.text(payload, "", "reason");
  } else if (type == "sip.followup_due") {
    body["uppfoljningsdatum"] = in.text(payload, "", "followup_due", Kind::date);
  }
  if (in.error) return std::unexpected(*in.error);
  request.body = std::move(body);
  return request;
}

}  // namespace knutpunkt::sip_region
