// The SIP plan document (schemas/sip/sip-plan.v1.schema.json): writing it and reading it back.
#include <array>
#include <regex>
#include <set>
#include <utility>

#include "core/clock.h"
#include "sip/sip_plan.h"

namespace knutpunkt::sip {
namespace {

using nlohmann::json;

template <typename Enum, std::size_t N>
std::optional<Enum> enum_from(std::string_view text, const std::array<Enum, N>& values) {
  for (Enum value : values) {
    if (to_string(value) == text) return value;
  }
  return std::nullopt;
}

constexpr std::array kStatuses{Status::initiated,        Status::invited,     Status::meeting_scheduled,
                               Status::plan_established, Status::followed_up, Status::closed};
constexpr std::array kOrganisationKinds{OrganisationKind::kommun, OrganisationKind::region,
                                        OrganisationKind::forsakringskassan, OrganisationKind::arbetsformedlingen,
                                        OrganisationKind::other};
constexpr std::array kInvitationStatuses{InvitationStatus::not_invited, InvitationStatus::invited,
                                         InvitationStatus::accepted, InvitationStatus::declined,
                                         InvitationStatus::removed};
constexpr std::array kMeetingKinds{MeetingKind::fysiskt, MeetingKind::digitalt};
constexpr std::array kChanges{Change::initiated,      Change::invited,           Change::participant_removed,
                              Change::reply_received, Change::meeting_scheduled, Change::plan_established,
                              Change::plan_revised,   Change::followed_up,       Change::consent_withdrawn,
                              Change::closed};

json optional_json(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

// Escapes a member name for a JSON pointer (RFC 6901 section 3).
std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

// Reads one document, collecting every problem with its JSON pointer instead of stopping at the
// first: a partner fixing its output wants the whole list at once.
class DocumentReader {
 public:
  std::vector<SipError> errors;

  void fail(const std::string& pointer, std::string code, std::string message) {
    errors.push_back({std::move(code), pointer, std::move(message)});
  }

  // Finds a required member (null counts as present: nullable members accept it).
  const json* member(const json& object, const std::string& pointer, const std::string& key) {
    auto found = object.find(key);
    if (found == object.end()) {
      fail(pointer + "/" + pointer_token(key), "missing", "is required");
      return nullptr;
    }
    return &*found;
  }

  bool object(const json& value, const std::string& pointer, const std::set<std::string>& known) {
    if (!value.is_object()) {
      fail(pointer, "not_an_object", "must be an object");
      return false;
    }
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!known.contains(it.key())) {
        fail(pointer + "/" + pointer_token(it.key()), "unknown_field", "is not a member of this object");
      }
    }
    return true;
  }

  std::string text(const json& object, const std::string& pointer, const std::string& key, std::size_t max,
                   bool may_be_empty = false) {
    const json* value = member(object, pointer, key);
    if (value == nullptr) return {};
    return string_value(*value, pointer + "/" + pointer_token(key), max, may_be_empty);
  }

  std::string string_value(const json& value, const std::string& pointer, std::size_t max, bool may_be_empty) {
    if (!value.is_string()) {
      fail(pointer, "not_a_string", "must be a string");
      return {};
    }
    auto s = value.get<std::string>();
    if (s.empty() && !may_be_empty) fail(pointer, "empty", "must not be empty");
    if (s.size() > max) fail(pointer, "too_long", "is longer than " + std::to_string(max) + " bytes");
    return s;
  }

  std::string id(const json& object, const std::string& pointer, const std::string& key) {
    const json* value = member(object, pointer, key);
    if (value == nullptr) return {};
    return id_value(*value, pointer + "/" + pointer_token(key));
  }

  std::string id_value(const json& value, const std::string& pointer) {
    static const std::regex pattern("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    if (!value.is_string()) {
      fail(pointer, "not_a_string", "must be a string");
      return {};
    }
    auto s = value.get<std::string>();
    if (!std::regex_match(s, pattern)) fail(pointer, "bad_format", "must be an id: letters, digits, . _ : -");
    return s;
  }

  std::string organisation_value(const json& value, const std::string& pointer) {
    static const std::regex pattern("[a-z0-9][a-z0-9-]{0,63}(/[a-z0-9][a-z0-9-]{0,63}){0,3}");
    if (!value.is_string()) {
      fail(pointer, "not_a_string", "must be a string");
      return {};
    }
    auto s = value.get<std::string>();
    if (!std::regex_match(s, pattern)) {
      fail(pointer, "bad_format", "must be an organisation id such as region-stockholm/vardcentral-farsta");
    }
    return s;
  }

  std::string date_value(const json& value, const std::string& pointer) {
    if (!value.is_string() || value.get<std::string>().size() != 10 || !parse_utc(value.get<std::string>())) {
      fail(pointer, "bad_date", "must be a calendar date YYYY-MM-DD");
      return {};
    }
    return value.get<std::string>();
  }

  std::string date_time_value(const json& value, const std::string& pointer) {
    if (!value.is_string() || value.get<std::string>().size() <= 10 || !parse_utc(value.get<std::string>())) {
      fail(pointer, "bad_date_time", "must be a UTC date-time YYYY-MM-DDTHH:MM:SS[.fff]Z");
      return {};
    }
    return value.get<std::string>();
  }

  std::string date(const json& object, const std::string& pointer, const std::string& key) {
    const json* value = member(object, pointer, key);
    return value == nullptr ? std::string() : date_value(*value, pointer + "/" + pointer_token(key));
  }

  std::string date_time(const json& object, const std::string& pointer, const std::string& key) {
    const json* value = member(object, pointer, key);
    return value == nullptr ? std::string() : date_time_value(*value, pointer + "/" + pointer_token(key));
  }

  template <typename Read>
  std::optional<std::string> nullable(const json& object, const std::string& pointer, const std::string& key,
                                      Read read) {
    const json* value = member(object, pointer, key);
    if (value == nullptr || value->is_null()) return std::nullopt;
    return read(*value, pointer + "/" + pointer_token(key));
  }

  template <typename Enum, std::size_t N>
  Enum code(const json& object, const std::string& pointer, const std::string& key, const std::array<Enum, N>& values) {
    const json* value = member(object, pointer, key);
    if (value == nullptr) return values[0];
    const std::string where = pointer + "/" + pointer_token(key);
    if (value->is_string()) {
      if (auto found = enum_from(value->get<std::string>(), values)) return *found;
    }
    fail(where, "unknown_code", "is not one of the code list's values");
    return values[0];
  }

  // Calls read(element, pointer) for every element of a required array.
  template <typename Read>
  void array(const json& object, const std::string& pointer, const std::string& key, Read read) {
    const json* value = member(object, pointer, key);
    if (value == nullptr) return;
    const std::string where = pointer + "/" + pointer_token(key);
    if (!value->is_array()) {
      fail(where, "not_an_array", "must be an array");
      return;
    }
    for (std::size_t i = 0; i < value->size(); ++i) read((*value)[i], where + "/" + std::to_string(i));
  }
};

// Who a participant is and how to reach them: what the caller gives when inviting.
void read_participant_details(DocumentReader& r, const json& value, const std::string& at, Participant& p) {
  if (const json* org = r.member(value, at, "organisation"))
    p.organisation = r.organisation_value(*org, at + "/organisation");
  p.organisation_kind = r.code(value, at, "organisation_kind", kOrganisationKinds);
  p.unit = r.text(value, at, "unit", 200);
  p.role = r.text(value, at, "role", 200);
  if (const json* contact = r.member(value, at, "contact")) {
    const std::string c = at + "/contact";
    if (r.object(*contact, c, {"name", "phone", "email"})) {
      p.contact.name = r.text(*contact, c, "name", 200, true);
      p.contact.phone = r.text(*contact, c, "phone", 32, true);
      p.contact.email = r.text(*contact, c, "email", 254, true);
    }
  }
}

Participant read_participant(DocumentReader& r, const json& value, const std::string& at) {
  Participant p;
  if (!r.object(value, at,
                {"participant_id", "organisation", "organisation_kind", "unit", "role", "contact", "invitation_status",
                 "replied_at"})) {
    return p;
  }
  p.participant_id = r.id(value, at, "participant_id");
  read_participant_details(r, value, at, p);
  p.invitation_status = r.code(value, at, "invitation_status", kInvitationStatuses);
  p.replied_at = r.nullable(value, at, "replied_at",
                            [&](const json& v, const std::string& ptr) { return r.date_time_value(v, ptr); });
  return p;
}

Need read_need(DocumentReader& r, const json& v, const std::string& at) {
  Need n;
  if (r.object(v, at, {"need_id", "description"})) {
    n.need_id = r.id(v, at, "need_id");
    n.description = r.text(v, at, "description", 2000);
  }
  return n;
}

Goal read_goal(DocumentReader& r, const json& v, const std::string& at) {
  Goal g;
  if (r.object(v, at, {"goal_id", "description", "need_ids"})) {
    g.goal_id = r.id(v, at, "goal_id");
    g.description = r.text(v, at, "description", 2000);
    r.array(v, at, "need_ids",
            [&](const json& id, const std::string& ptr) { g.need_ids.push_back(r.id_value(id, ptr)); });
  }
  return g;
}

Insats read_insats(DocumentReader& r, const json& v, const std::string& at) {
  Insats i;
  if (r.object(v, at,
               {"insats_id", "description", "responsible_huvudman", "responsible_participant_id", "start_date",
                "end_date"})) {
    i.insats_id = r.id(v, at, "insats_id");
    i.description = r.text(v, at, "description", 2000);
    i.responsible_huvudman = r.code(v, at, "responsible_huvudman", kOrganisationKinds);
    i.responsible_participant_id = r.id(v, at, "responsible_participant_id");
    i.start_date = r.date(v, at, "start_date");
    i.end_date =
        r.nullable(v, at, "end_date", [&](const json& d, const std::string& ptr) { return r.date_value(d, ptr); });
  }
  return i;
}

ActionByOther read_action(DocumentReader& r, const json& v, const std::string& at) {
  ActionByOther a;
  if (r.object(v, at, {"description", "by"})) {
    a.description = r.text(v, at, "description", 2000);
    a.by = r.text(v, at, "by", 200);
  }
  return a;
}

// The place may be empty: it is withheld for a person with protected identity.
Meeting read_meeting(DocumentReader& r, const json& v, const std::string& at) {
  Meeting m;
  if (r.object(v, at, {"at", "place", "kind"})) {
    m.at = r.date_time(v, at, "at");
    m.place = r.text(v, at, "place", 200, true);
    m.kind = r.code(v, at, "kind", kMeetingKinds);
  }
  return m;
}

// Reads an optional array member into `out` (set only when present).
template <typename T, typename Read>
void optional_array(DocumentReader& r, const json& object, const std::string& at, const std::string& key,
                    std::optional<std::vector<T>>& out, Read read) {
  if (!object.contains(key)) return;
  std::vector<T> items;
  r.array(object, at, key, [&](const json& v, const std::string& ptr) { items.push_back(read(r, v, ptr)); });
  out = std::move(items);
}

void check_schema_version(DocumentReader& r, const json& document) {
  if (const json* v = r.member(document, "", "schema_version");
      v != nullptr && !(v->is_number_integer() && v->get<long long>() == kSipPlanSchemaVersion)) {
    // Another version may mean other rules; guessing would be worse than refusing.
    r.fail("/schema_version", "unsupported_version", "must be 1");
  }
}

// The plan's version and each history entry's.
void read_version(DocumentReader& r, const json& object, const std::string& at, int& version) {
  if (const json* v = r.member(object, at, "version")) {
    if (!v->is_number_integer() || v->get<long long>() < 1 || v->get<long long>() > 1'000'000) {
      r.fail(at + "/version", "bad_version", "must be an integer from 1");
    } else {
      version = v->get<int>();
    }
  }
}

void read_person(DocumentReader& r, const json& document, Person& out) {
  const json* person = r.member(document, "", "person");
  if (!person || !r.object(*person, "/person", {"id", "kind"})) return;
  static const std::regex twelve_digits("[0-9]{12}");
  if (const json* id = r.member(*person, "/person", "id")) {
    if (!id->is_string() || !std::regex_match(id->get<std::string>(), twelve_digits)) {
      r.fail("/person/id", "bad_format", "must be 12 digits");
    } else {
      out.id = id->get<std::string>();
    }
  }
  if (const json* kind = r.member(*person, "/person", "kind")) {
    if (!kind->is_string() || (*kind != "personnummer" && *kind != "samordningsnummer")) {
      r.fail("/person/kind", "unknown_code", "must be personnummer or samordningsnummer");
    } else {
      out.kind = kind->get<std::string>();
    }
  }
}

void read_consent(DocumentReader& r, const json& document, Consent& out) {
  const json* consent = r.member(document, "", "consent");
  if (!consent || !r.object(*consent, "/consent", {"reference", "scope", "given_at", "expires_at", "withdrawn_at"})) {
    return;
  }
  out.reference = r.id(*consent, "/consent", "reference");
  r.array(*consent, "/consent", "scope",
          [&](const json& v, const std::string& at) { out.scope.push_back(r.organisation_value(v, at)); });
  if (out.scope.empty() && consent->contains("scope") && (*consent)["scope"].is_array()) {
    r.fail("/consent/scope", "empty", "must name at least one organisation");
  }
  out.given_at = r.date_time(*consent, "/consent", "given_at");
  out.expires_at = r.nullable(*consent, "/consent", "expires_at",
                              [&](const json& v, const std::string& at) { return r.date_value(v, at); });
  out.withdrawn_at = r.nullable(*consent, "/consent", "withdrawn_at",
                                [&](const json& v, const std::string& at) { return r.date_time_value(v, at); });
}

void read_participants_and_content(DocumentReader& r, const json& document, SipPlan& plan) {
  const std::string root;
  r.array(document, root, "participants",
          [&](const json& v, const std::string& at) { plan.participants.push_back(read_participant(r, v, at)); });
  r.array(document, root, "needs",
          [&](const json& v, const std::string& at) { plan.needs.push_back(read_need(r, v, at)); });
  r.array(document, root, "goals",
          [&](const json& v, const std::string& at) { plan.goals.push_back(read_goal(r, v, at)); });
  r.array(document, root, "insatser",
          [&](const json& v, const std::string& at) { plan.insatser.push_back(read_insats(r, v, at)); });
  r.array(document, root, "actions_by_others",
          [&](const json& v, const std::string& at) { plan.actions_by_others.push_back(read_action(r, v, at)); });
}

HistoryEntry read_history_entry(DocumentReader& r, const json& v, const std::string& at) {
  HistoryEntry h;
  if (r.object(v, at, {"version", "at", "by", "change", "summary"})) {
    read_version(r, v, at, h.version);
    h.at = r.date_time(v, at, "at");
    h.by = r.id(v, at, "by");
    h.change = r.code(v, at, "change", kChanges);
    h.summary = r.text(v, at, "summary", 2000, true);
  }
  return h;
}

void check_lists_not_empty(DocumentReader& r, const json& document, const SipPlan& plan) {
  if (document.contains("participants") && document["participants"].is_array() && plan.participants.empty()) {
    r.fail("/participants", "empty", "must list at least the coordinator");
  }
  if (document.contains("history") && document["history"].is_array() && plan.history.empty()) {
    r.fail("/history", "empty", "must hold at least the initiation");
  }
}

}  // namespace

std::string_view to_string(Status status) {
  switch (status) {
    case Status::initiated:
      return "initiated";
    case Status::invited:
      return "invited";
    case Status::meeting_scheduled:
      return "meeting_scheduled";
    case Status::plan_established:
      return "plan_established";
    case Status::followed_up:
      return "followed_up";
    case Status::closed:
      return "closed";
  }
  return "unknown";
}

std::string_view to_string(OrganisationKind kind) {
  switch (kind) {
    case OrganisationKind::kommun:
      return "kommun";
    case OrganisationKind::region:
      return "region";
    case OrganisationKind::forsakringskassan:
      return "forsakringskassan";
    case OrganisationKind::arbetsformedlingen:
      return "arbetsformedlingen";
    case OrganisationKind::other:
      return "other";
  }
  return "unknown";
}

std::string_view to_string(InvitationStatus status) {
  switch (status) {
    case InvitationStatus::not_invited:
      return "not_invited";
    case InvitationStatus::invited:
      return "invited";
    case InvitationStatus::accepted:
      return "accepted";
    case InvitationStatus::declined:
      return "declined";
    case InvitationStatus::removed:
      return "removed";
  }
  return "unknown";
}

std::string_view to_string(MeetingKind kind) {
  switch (kind) {
    case MeetingKind::fysiskt:
      return "fysiskt";
    case MeetingKind::digitalt:
      return "digitalt";
  }
  return "unknown";
}

std::string_view to_string(Change change) {
  switch (change) {
    case Change::initiated:
      return "initiated";
    case Change::invited:
      return "invited";
    case Change::participant_removed:
      return "participant_removed";
    case Change::reply_received:
      return "reply_received";
    case Change::meeting_scheduled:
      return "meeting_scheduled";
    case Change::plan_established:
      return "plan_established";
    case Change::plan_revised:
      return "plan_revised";
    case Change::followed_up:
      return "followed_up";
    case Change::consent_withdrawn:
      return "consent_withdrawn";
    case Change::closed:
      return "closed";
  }
  return "unknown";
}

nlohmann::json to_json(const SipPlan& plan) {
  json participants = json::array();
  for (const auto& p : plan.participants) {
    participants.push_back(
        {{"participant_id", p.participant_id},
         {"organisation", p.organisation},
         {"organisation_kind", to_string(p.organisation_kind)},
         {"unit", p.unit},
         {"role", p.role},
         {"contact", {{"name", p.contact.name}, {"phone", p.contact.phone}, {"email", p.contact.email}}},
         {"invitation_status", to_string(p.invitation_status)},
         {"replied_at", optional_json(p.replied_at)}});
  }
  json needs = json::array();
  for (const auto& n : plan.needs) needs.push_back({{"need_id", n.need_id}, {"description", n.description}});
  json goals = json::array();
  for (const auto& g : plan.goals) {
    goals.push_back({{"goal_id", g.goal_id}, {"description", g.description}, {"need_ids", g.need_ids}});
  }
  json insatser = json::array();
  for (const auto& i : plan.insatser) {
    insatser.push_back({{"insats_id", i.insats_id},
                        {"description", i.description},
                        {"responsible_huvudman", to_string(i.responsible_huvudman)},
                        {"responsible_participant_id", i.responsible_participant_id},
                        {"start_date", i.start_date},
                        {"end_date", optional_json(i.end_date)}});
  }
  json actions = json::array();
  for (const auto& a : plan.actions_by_others) actions.push_back({{"description", a.description}, {"by", a.by}});
  json history = json::array();
  for (const auto& h : plan.history) {
    history.push_back(
        {{"version", h.version}, {"at", h.at}, {"by", h.by}, {"change", to_string(h.change)}, {"summary", h.summary}});
  }
  json meeting = nullptr;
  if (plan.meeting) {
    meeting = {{"at", plan.meeting->at}, {"place", plan.meeting->place}, {"kind", to_string(plan.meeting->kind)}};
  }
  return {{"schema_version", kSipPlanSchemaVersion},
          {"plan_id", plan.plan_id},
          {"version", plan.version},
          {"person", {{"id", plan.person.id}, {"kind", plan.person.kind}}},
          {"consent",
           {{"reference", plan.consent.reference},
            {"scope", plan.consent.scope},
            {"given_at", plan.consent.given_at},
            {"expires_at", optional_json(plan.consent.expires_at)},
            {"withdrawn_at", optional_json(plan.consent.withdrawn_at)}}},
          {"participants", std::move(participants)},
          {"needs", std::move(needs)},
          {"goals", std::move(goals)},
          {"insatser", std::move(insatser)},
          {"actions_by_others", std::move(actions)},
          {"huvudansvar", optional_json(plan.huvudansvar)},
          {"coordinator", plan.coordinator},
          {"meeting", std::move(meeting)},
          {"followup_due", optional_json(plan.followup_due)},
          {"status", to_string(plan.status)},
          {"initiated_at", plan.initiated_at},
          {"close_reason", optional_json(plan.close_reason)},
          {"history", std::move(history)}};
}

std::expected<SipPlan, std::vector<SipError>> from_json(const nlohmann::json& document) {
  DocumentReader r;
  SipPlan plan;
  const std::string root;
  if (!r.object(document, root,
                {"schema_version", "plan_id", "version", "person", "consent", "participants", "needs", "goals",
                 "insatser", "actions_by_others", "huvudansvar", "coordinator", "meeting", "followup_due", "status",
                 "initiated_at", "close_reason", "history"})) {
    return std::unexpected(std::move(r.errors));
  }
  check_schema_version(r, document);
  plan.plan_id = r.id(document, root, "plan_id");
  read_version(r, document, root, plan.version);
  read_person(r, document, plan.person);
  read_consent(r, document, plan.consent);
  read_participants_and_content(r, document, plan);
  plan.huvudansvar = r.nullable(document, root, "huvudansvar",
                                [&](const json& v, const std::string& at) { return r.id_value(v, at); });
  plan.coordinator = r.id(document, root, "coordinator");
  if (const json* meeting = r.member(document, root, "meeting"); meeting != nullptr && !meeting->is_null()) {
    plan.meeting = read_meeting(r, *meeting, "/meeting");
  }
  plan.followup_due = r.nullable(document, root, "followup_due",
                                 [&](const json& v, const std::string& at) { return r.date_value(v, at); });
  plan.status = r.code(document, root, "status", kStatuses);
  plan.initiated_at = r.date_time(document, root, "initiated_at");
  plan.close_reason = r.nullable(document, root, "close_reason", [&](const json& v, const std::string& at) {
    return r.string_value(v, at, 2000, false);
  });
  r.array(document, root, "history",
          [&](const json& v, const std::string& at) { plan.history.push_back(read_history_entry(r, v, at)); });
  check_lists_not_empty(r, document, plan);
  if (!r.errors.empty()) return std::unexpected(std::move(r.errors));
  return plan;
}

std::expected<Participant, std::vector<SipError>> participant_from_json(const nlohmann::json& value,
                                                                        const std::string& at) {
  DocumentReader r;
  Participant p;
  if (r.object(value, at, {"organisation", "organisation_kind", "unit", "role", "contact"})) {
    read_participant_details(r, value, at, p);
  }
  if (!r.errors.empty()) return std::unexpected(std::move(r.errors));
  return p;
}

std::expected<Meeting, std::vector<SipError>> meeting_from_json(const nlohmann::json& value, const std::string& at) {
  DocumentReader r;
  Meeting m = read_meeting(r, value, at);
  if (!r.errors.empty()) return std::unexpected(std::move(r.errors));
  return m;
}

std::expected<EstablishedContent, std::vector<SipError>> content_from_json(const nlohmann::json& value,
                                                                           const std::string& at) {
  DocumentReader r;
  EstablishedContent out;
  if (r.object(value, at, {"needs", "goals", "insatser", "actions_by_others", "huvudansvar", "followup_due"})) {
    r.array(value, at, "needs",
            [&](const json& v, const std::string& p) { out.content.needs.push_back(read_need(r, v, p)); });
    r.array(value, at, "goals",
            [&](const json& v, const std::string& p) { out.content.goals.push_back(read_goal(r, v, p)); });
    r.array(value, at, "insatser",
            [&](const json& v, const std::string& p) { out.content.insatser.push_back(read_insats(r, v, p)); });
    if (value.contains("actions_by_others")) {
      r.array(value, at, "actions_by_others", [&](const json& v, const std::string& p) {
        out.content.actions_by_others.push_back(read_action(r, v, p));
      });
    }
    out.content.huvudansvar = r.id(value, at, "huvudansvar");
    out.followup_due = r.date(value, at, "followup_due");
  }
  if (!r.errors.empty()) return std::unexpected(std::move(r.errors));
  return out;
}

std::expected<Revision, std::vector<SipError>> revision_from_json(const nlohmann::json& value, const std::string& at) {
  DocumentReader r;
  Revision out;
  if (r.object(value, at,
               {"needs", "goals", "insatser", "actions_by_others", "huvudansvar", "coordinator", "followup_due",
                "summary"})) {
    optional_array(r, value, at, "needs", out.needs, read_need);
    optional_array(r, value, at, "goals", out.goals, read_goal);
    optional_array(r, value, at, "insatser", out.insatser, read_insats);
    optional_array(r, value, at, "actions_by_others", out.actions_by_others, read_action);
    if (value.contains("huvudansvar")) out.huvudansvar = r.id(value, at, "huvudansvar");
    if (value.contains("coordinator")) out.coordinator = r.id(value, at, "coordinator");
    if (value.contains("followup_due")) out.followup_due = r.date(value, at, "followup_due");
    out.summary = r.text(value, at, "summary", 2000);
  }
  if (!r.errors.empty()) return std::unexpected(std::move(r.errors));
  return out;
}

}  // namespace knutpunkt::sip
