#include "reply_reader.h"

#include <algorithm>
#include <optional>
#include <regex>
#include <set>

#include "core/clock.h"
#include "wire_formats.h"

namespace knutpunkt::sip_region {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxDepth = 8;
constexpr std::size_t kMaxText = 2000;
constexpr std::size_t kMaxProposedInsatser = 20;

// Nesting depth without parsing (strings skipped), so a hostile body cannot exhaust the stack
// of the recursive JSON parser.
std::size_t nesting_depth(std::string_view body) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

bool is_uuid(const std::string& s) {
  static const std::regex id("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  return std::regex_match(s, id);
}

using Check = bool (*)(const std::string&);

// Messages name fields by JSON pointer and say what is wrong, never what was sent.
class MessageReader {
 public:
  std::optional<InboundError> error;

  void fail(std::string code, std::string field, std::string message) {
    if (!error) error = InboundError{std::move(code), std::move(field), std::move(message)};
  }

  // Refuses members outside `allowed`: a misspelt member must not silently mean nothing.
  void only(const json& object, const std::string& pointer, std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, _] : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        fail("field_invalid", pointer + "/" + key, "is not a member of this message");
        return;
      }
    }
  }

  std::string text(const json& object, const std::string& pointer, const char* key, Check check,
                   const char* expectation, bool optional = false) {
    const std::string field = pointer + "/" + key;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (!optional) fail("field_missing", field, "is required");
      return {};
    }
    if (!it->is_string() || !check(it->get_ref<const std::string&>())) {
      fail("field_invalid", field, expectation);
      return {};
    }
    return it->get<std::string>();
  }
};

bool is_short_text(const std::string& s) {
  return !s.empty() && s.size() <= kMaxText;
}

// Refuses a body too large, too deep or not a JSON object before any member is read.
std::expected<json, InboundError> parse_message(std::string_view body, std::size_t max_bytes) {
  if (body.size() > max_bytes) {
    return std::unexpected(InboundError{"too_large", "", "the message is larger than this partner's limit"});
  }
  if (nesting_depth(body) > kMaxDepth) {
    return std::unexpected(InboundError{"field_invalid", "", "the message is nested too deeply"});
  }
  json message = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded()) return std::unexpected(InboundError{"invalid_json", "", "the body is not valid JSON"});
  if (!message.is_object()) {
    return std::unexpected(InboundError{"field_invalid", "", "the message must be a JSON object"});
  }
  return message;
}

std::expected<std::string, InboundError> message_type(const json& message) {
  auto typ = message.find("meddelandetyp");
  if (typ == message.end() || typ->is_null()) {
    return std::unexpected(InboundError{"field_missing", "/meddelandetyp", "is required (SVAR or ANDRINGSFORSLAG)"});
  }
  if (!typ->is_string()) {
    return std::unexpected(InboundError{"field_invalid", "/meddelandetyp", "must be a string"});
  }
  std::string type = typ->get<std::string>();
  if (type != "SVAR" && type != "ANDRINGSFORSLAG") {
    return std::unexpected(
        InboundError{"unknown_report_type", "/meddelandetyp", "is not a message type a region sends"});
  }
  return type;
}

// The members every region message has, whatever its type.
InboundReport read_header(MessageReader& in, const json& message, const std::string& type) {
  InboundReport out;
  out.report_type = type;
  out.partner_message_id = in.text(message, "", "meddelandeId", is_uuid, "must be a UUID");
  out.plan_id = in.text(message, "", "planId", is_wire_id, "must be a plan id");
  out.participant_id = in.text(message, "", "deltagarId", is_wire_id, "must be a participant id");
  out.reported_at = in.text(message, "", "tidpunkt", is_wire_date_time, "must be a UTC date-time (…Z)");
  return out;
}

std::expected<InboundReport, InboundError> read_reply(MessageReader& in, const json& message, InboundReport out) {
  in.only(message, "", {"meddelandeId", "meddelandetyp", "planId", "deltagarId", "tidpunkt", "svar"});
  const std::string svar = in.text(
      message, "", "svar", [](const std::string& s) { return s == "DELTAR" || s == "DELTAR_INTE"; },
      "must be DELTAR or DELTAR_INTE");
  if (in.error) return std::unexpected(*in.error);
  out.events.push_back(ReportedEvent{
      "sip.reply_received", out.reported_at,
      json{{"participant_id", out.participant_id}, {"reply", svar == "DELTAR" ? "accepted" : "declined"}}});
  return out;
}

json read_proposed_insats(MessageReader& in, const json& insats, const std::string& at) {
  in.only(insats, at, {"beskrivning", "startdatum", "slutdatum"});
  const auto description = in.text(insats, at, "beskrivning", is_short_text, "must be text of 1 to 2000 characters");
  const auto start = in.text(insats, at, "startdatum", is_wire_date, "must be a date (YYYY-MM-DD)");
  const auto end = in.text(insats, at, "slutdatum", is_wire_date, "must be a date (YYYY-MM-DD)", /*optional=*/true);
  // ISO dates compare as text.
  if (!in.error && !end.empty() && end < start) in.fail("field_invalid", at + "/slutdatum", "is before startdatum");
  return json{
      {"description", description}, {"start_date", start}, {"end_date", end.empty() ? json(nullptr) : json(end)}};
}

json read_proposal(MessageReader& in, const json& forslag) {
  const std::string f = "/andringsforslag";
  in.only(forslag, f, {"sammanfattning", "insatser"});
  json proposal = {
      {"summary", in.text(forslag, f, "sammanfattning", is_short_text, "must be text of 1 to 2000 characters")},
      {"insatser", json::array()}};
  if (auto insatser = forslag.find("insatser"); insatser != forslag.end() && !insatser->is_null() && !in.error) {
    if (!insatser->is_array() || insatser->size() > kMaxProposedInsatser) {
      in.fail("field_invalid", f + "/insatser", "must be an array of at most 20 insatser");
    }
    for (std::size_t i = 0; !in.error && i < insatser->size(); ++i) {
      const json& insats = (*insatser)[i];
      const std::string at = f + "/insatser/" + std::to_string(i);
      if (!insats.is_object()) {
        in.fail("field_invalid", at, "must be an object");
        break;
      }
      proposal["insatser"].push_back(read_proposed_insats(in, insats, at));
    }
  }
  return proposal;
}

std::expected<InboundReport, InboundError> read_change_proposal(MessageReader& in, const json& message,
                                                                InboundReport out) {
  in.only(message, "", {"meddelandeId", "meddelandetyp", "planId", "deltagarId", "tidpunkt", "andringsforslag"});
  if (in.error) return std::unexpected(*in.error);
  auto forslag = message.find("andringsforslag");
  if (forslag == message.end() || forslag->is_null()) {
    return std::unexpected(InboundError{"field_missing", "/andringsforslag", "is required"});
  }
  if (!forslag->is_object()) {
    return std::unexpected(InboundError{"field_invalid", "/andringsforslag", "must be an object"});
  }
  json proposal = read_proposal(in, *forslag);
  if (in.error) return std::unexpected(*in.error);
  out.events.push_back(ReportedEvent{"sip.change_proposed", out.reported_at,
                                     json{{"participant_id", out.participant_id}, {"proposal", std::move(proposal)}}});
  return out;
}

}  // namespace

std::expected<InboundReport, InboundError> ReplyReader::parse_report(std::string_view body) const {
  auto message = parse_message(body, config_.max_report_bytes);
  if (!message) return std::unexpected(std::move(message.error()));
  auto type = message_type(*message);
  if (!type) return std::unexpected(std::move(type.error()));
  MessageReader in;
  InboundReport out = read_header(in, *message, *type);
  if (*type == "SVAR") return read_reply(in, *message, std::move(out));
  return read_change_proposal(in, *message, std::move(out));
}

}  // namespace knutpunkt::sip_region
