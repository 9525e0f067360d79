#include "store/audit_index_entry.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace knutpunkt {
namespace {

using Json = nlohmann::json;
using Path = std::initializer_list<std::string_view>;

// The value at `path` inside nested objects, or nullptr when any step is missing.
const Json* at(const Json& root, Path path) {
  const Json* node = &root;
  for (std::string_view key : path) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

std::string text_at(const Json& root, Path path) {
  const Json* v = at(root, path);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

// The first non-empty text among `paths`.
std::string first_text(const Json& root, std::initializer_list<Path> paths) {
  for (Path p : paths) {
    if (std::string t = text_at(root, p); !t.empty()) return t;
  }
  return {};
}

// An id, or an object carrying it as "id" (caseworker: {"id","unit"}).
std::string id_at(const Json& root, Path path) {
  const Json* v = at(root, path);
  if (!v) return {};
  if (v->is_string()) return v->get<std::string>();
  return text_at(*v, {"id"});
}

bool twelve_digits(const std::string& s) {
  return s.size() == 12 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class PersonList {
 public:
  void add(const std::string& id) {
    if (twelve_digits(id) && std::find(list_.begin(), list_.end(), id) == list_.end()) list_.push_back(id);
  }
  void add_text(const Json& root, Path path) { add(text_at(root, path)); }
  // "person" as a string (an auditor's search) or as {"id"} / {"person_id"} (exchanges).
  void add_person(const Json& root, Path path) {
    const Json* v = at(root, path);
    if (!v) return;
    if (v->is_string()) return add(v->get<std::string>());
    add_text(*v, {"id"});
    add_text(*v, {"person_id"});
  }
  void add_array(const Json& root, Path path) {
    const Json* v = at(root, path);
    if (!v || !v->is_array()) return;
    for (const Json& item : *v) {
      if (item.is_string()) add(item.get<std::string>());
    }
  }
  std::vector<std::string> take() { return std::move(list_); }

 private:
  std::vector<std::string> list_;
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

AuditIndexEntry index_entry(const std::string& kind, const nlohmann::json& body) {
  static const Json kEmpty = Json::object();
  const Json& b = body.is_object() ? body : kEmpty;
  AuditIndexEntry e;

  const auto dot = kind.find('.');
  e.operation = kind.substr(0, dot);
  std::string verb = dot == std::string::npos ? std::string() : kind.substr(dot + 1);
  // Inbound notifications come from a partner about a person, not as part of a referral: their
  // own operation ("partner.notification_received" -> notification / received).
  if (e.operation == "partner" && verb.starts_with("notification")) {
    e.operation = "notification";
    verb = verb.size() > 13 && verb[12] == '_' ? verb.substr(13) : std::string();
  }

  const Json* held = at(b, {"held_for_manual_handling"});
  if (ends_with(verb, "refused")) {
    // An exchange's audited refusal (http/exchange.h) and the lookup endpoint put the problem's code in "code" (problem.h).
    e.outcome = "refused";
    e.reason = text_at(b, {"code"});
  } else if (std::string outcome = text_at(b, {"outcome"}); !outcome.empty()) {
    e.outcome = std::move(outcome);
    if (e.outcome == "refused") e.reason = text_at(b, {"code"});
    // A dead letter says why it gave up ("final_status", "max_attempts", "max_age").
    if (e.outcome == "dead_lettered") e.reason = text_at(b, {"reason"});
  } else if (held && held->is_object()) {
    // A protected person's referral is kept for an operator, not sent.
    e.outcome = "held_for_manual_handling";
    e.reason = text_at(*held, {"reason"});
  } else {
    e.outcome = verb;
  }

  // An auditor's own reads name the auditor as actor; their "client" is a filter (audit_endpoint.cpp).
  e.client = first_text(b, {{"auditor"}, {"client"}, {"user"}, {"username"}, {"resolved_by"}, {"replayed_by"},
                            {"client_id"}, {"referral", "client_id"}, {"atersokning", "client"}});
  e.caseworker = id_at(b, {"caseworker"});
  if (e.caseworker.empty()) e.caseworker = id_at(b, {"referral", "caseworker"});
  if (e.caseworker.empty()) e.caseworker = id_at(b, {"atersokning", "caseworker"});

  e.case_id = first_text(b, {{"case_id"}, {"referral", "case_id"}, {"atersokning", "case_id"}, {"consent", "case_id"},
                             {"previous", "case_id"}, {"filters", "case_id"}});
  // A notification reaches every open case with the person in its household; the index keeps
  // the first (usually the only one), the person index finds the rest.
  if (e.case_id.empty()) {
    if (const Json* to = at(b, {"delivered_to"}); to && to->is_array() && !to->empty()) {
      e.case_id = text_at(to->front(), {"case_id"});
    }
  }

  e.partner = first_text(b, {{"adapter"}, {"partner"}, {"destination"}, {"held_for_manual_handling", "would_go_to"},
                             {"consent", "partner"}});
  if (e.partner.empty()) {
    if (const Json* to = at(b, {"destinations"}); to && to->is_array() && !to->empty() && to->front().is_string()) {
      e.partner = to->front().get<std::string>();
    }
  }

  PersonList persons;
  persons.add_person(b, {"person"});
  persons.add_text(b, {"person_id"});
  persons.add_person(b, {"referral", "person"});
  persons.add_person(b, {"atersokning", "person"});
  persons.add_text(b, {"consent", "person_id"});
  persons.add_array(b, {"persons"});
  // An auditor's search is about the person searched for: who looked at X includes auditors.
  persons.add_person(b, {"filters", "person"});
  // A case registration is about everyone in its household, before and after the change.
  persons.add_array(b, {"household"});
  persons.add_array(b, {"previous", "household"});
  e.persons = persons.take();
  return e;
}

}  // namespace knutpunkt
