#include "beslutsnotifiering.h"

#include "lefi_answer.h"

namespace knutpunkt::fk_simulator {

Decision decision_on(const Claim& claim) {
  return Decision{.personnummer = claim.personnummer,
                  .skyddad = claim.skyddad,
                  .forman = claim.formanskod,
                  .utfall = "BIFALL",
                  .from = claim.from,
                  .tom = claim.tom,
                  .ore = claim.ore,
                  .belopp_period = "ENGANGS",
                  .utbetalningsmottagare = "NAMND",
                  .atersokningsId = claim.atersokningsId};
}

nlohmann::json kronor(std::int64_t ore) {
  const bool negative = ore < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(ore) : static_cast<std::uint64_t>(ore);
  if (magnitude % 100 == 0)
    return negative ? -static_cast<std::int64_t>(magnitude / 100) : static_cast<std::int64_t>(magnitude / 100);
  // Parsed from its decimal text, so the double is the one nearest to the intended amount and the
  // gateway's amount_sek (shortest round-trip text) reads it back exactly.
  const std::uint64_t cents = magnitude % 100;
  std::string text =
      (negative ? "-" : "") + std::to_string(magnitude / 100) + "." + (cents < 10 ? "0" : "") + std::to_string(cents);
  return nlohmann::json::parse(text);
}

nlohmann::json build_notification(const std::string& notifieringsId, const std::string& skapad,
                                  const Decision& decision) {
  nlohmann::json beslut{{"beslutsId", "B-" + notifieringsId},
                        {"beslutsdatum", skapad.substr(0, 10)},
                        {"forman", {{"kod", decision.forman}, {"beskrivning", describe_group(decision.forman)}}},
                        {"utfall", decision.utfall}};
  if (decision.from && decision.tom) beslut["period"] = {{"from", *decision.from}, {"tom", *decision.tom}};
  if (decision.ore) {
    beslut["belopp"] = {{"varde", kronor(*decision.ore)}, {"valuta", "SEK"}, {"period", decision.belopp_period}};
  }
  if (decision.utbetalningsmottagare) beslut["utbetalningsmottagare"] = *decision.utbetalningsmottagare;
  if (decision.atersokningsId) beslut["atersokningsId"] = *decision.atersokningsId;
  return {{"notifieringsId", notifieringsId},
          {"skapad", skapad},
          {"personnummer", decision.personnummer},
          {"skyddad", decision.skyddad},
          {"beslut", std::move(beslut)}};
}

std::expected<NotificationOrder, FieldRefusal> read_notification_order(const nlohmann::json& body,
                                                                       const nlohmann::json& persons) {
  using Fail = std::unexpected<FieldRefusal>;
  if (!body.is_object()) return Fail(FieldRefusal{"", "the body must be a JSON object"});
  NotificationOrder order;
  const auto text = [&](const char* key, std::string& into) -> std::optional<FieldRefusal> {
    auto it = body.find(key);
    if (it == body.end()) return std::nullopt;
    if (!it->is_string() || it->get_ref<const std::string&>().empty())
      return FieldRefusal{key, "must be a non-empty string"};
    into = it->get<std::string>();
    return std::nullopt;
  };
  auto person = body.find("personnummer");
  if (person == body.end() || !person->is_string() || person->get_ref<const std::string&>().size() < 10 ||
      person->get_ref<const std::string&>().size() > 13) {
    return Fail(FieldRefusal{"personnummer", "is required: a string of 10 to 13 characters"});
  }
  order.decision.personnummer = person->get<std::string>();
  order.decision.skyddad = find_person(persons, order.decision.personnummer)
                               .value("person", nlohmann::json::object())
                               .value("skyddad", false);
  if (auto e = text("forman", order.decision.forman)) return Fail(*e);
  if (auto e = text("utfall", order.decision.utfall)) return Fail(*e);
  if (auto it = body.find("skyddad"); it != body.end()) {
    if (!it->is_boolean()) return Fail(FieldRefusal{"skyddad", "must be true or false"});
    order.decision.skyddad = it->get<bool>();
  }
  if (auto it = body.find("belopp_ore"); it != body.end()) {
    if (!it->is_number_integer()) return Fail(FieldRefusal{"belopp_ore", "must be an integer (öre)"});
    order.decision.ore = it->get<std::int64_t>();
  }
  if (auto it = body.find("period"); it != body.end()) {
    if (!it->is_object() || !it->contains("from") || !it->contains("tom") || !(*it)["from"].is_string() ||
        !(*it)["tom"].is_string()) {
      return Fail(FieldRefusal{"period", "must be {\"from\": date, \"tom\": date}"});
    }
    order.decision.from = (*it)["from"].get<std::string>();
    order.decision.tom = (*it)["tom"].get<std::string>();
  }
  std::string mottagare;
  if (auto e = text("utbetalningsmottagare", mottagare)) return Fail(*e);
  if (!mottagare.empty()) order.decision.utbetalningsmottagare = mottagare;
  std::string atersokning;
  if (auto e = text("atersokningsId", atersokning)) return Fail(*e);
  if (!atersokning.empty()) order.decision.atersokningsId = atersokning;
  if (auto it = body.find("duplicates"); it != body.end()) {
    if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 100) {
      return Fail(FieldRefusal{"duplicates", "must be an integer from 0 to 100"});
    }
    order.duplicates = it->get<int>();
  }
  for (const auto& [key, _] : body.items()) {
    static const std::set<std::string> known = {"personnummer",  "forman", "utfall",     "skyddad",
                                                "belopp_ore",    "period", "duplicates", "utbetalningsmottagare",
                                                "atersokningsId"};
    if (!known.contains(key)) return Fail(FieldRefusal{key, "unknown field"});
  }
  return order;
}

}  // namespace knutpunkt::fk_simulator
