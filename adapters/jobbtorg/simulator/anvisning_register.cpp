#include "anvisning_register.h"

#include "core/clock.h"

namespace knutpunkt::jobbtorg_simulator {

Acceptance AnvisningRegister::accept(const std::string& key, const nlohmann::json& anvisning) {
  const auto anvisnings_id = anvisning.at("anvisningsId").get<std::string>();
  std::lock_guard lock(mutex_);
  Acceptance acceptance;
  if (const auto known = reply_by_key_.find(key); known != reply_by_key_.end()) {
    counters_.add(Counted::duplicates);
    acceptance.duplicate = true;
    acceptance.reply = known->second;
    acceptance.facts = referrals_.at(known->second.at("anvisningsId").get<std::string>()).facts;
    return acceptance;
  }
  auto found = referrals_.find(anvisnings_id);
  if (found == referrals_.end()) {
    Referral referral;
    referral.facts.anvisnings_id = anvisnings_id;
    // One Jobbtorg reference per referral, even if the gateway (wrongly) sends it twice.
    referral.facts.jobbtorg_referens = "JT-" + std::to_string(next_reference_++);
    referral.facts.start = *parse_date(anvisning.at("startdatum").get<std::string>());
    referral.facts.hours_per_week = anvisning.at("omfattningTimmarPerVecka").get<int>();
    referral.stadsdel = anvisning.at("stadsdel").get<std::string>();
    referral.kommunkod = anvisning.at("kommunkod").get<std::string>();
    // Codes only: the summary is free text about the person and stays out of the listing.
    if (const nlohmann::json::json_pointer resultat("/ibDel1/resultat"); anvisning.contains(resultat))
      referral.ib_del1_resultat = anvisning.at(resultat);
    referral.accepted_at = now_utc();
    found = referrals_.emplace(anvisnings_id, std::move(referral)).first;
    referral_order_.push_back(anvisnings_id);
    acceptance.new_referral = true;
  }
  found->second.message_ids.push_back(key);
  acceptance.facts = found->second.facts;
  acceptance.reply = {
      {"mottagen", true}, {"anvisningsId", anvisnings_id}, {"jobbtorgReferens", found->second.facts.jobbtorg_referens}};
  reply_by_key_.emplace(key, acceptance.reply);
  return acceptance;
}

MessageAcceptance AnvisningRegister::accept_message(const std::string& key, const nlohmann::json& meddelande) {
  const auto anvisnings_id = meddelande.at("anvisningsId").get<std::string>();
  std::lock_guard lock(mutex_);
  MessageAcceptance out;
  if (const auto known = reply_by_key_.find(key); known != reply_by_key_.end()) {
    counters_.add(Counted::duplicates);
    out.outcome = MessageAcceptance::Outcome::duplicate;
    out.reply = known->second;
    return out;
  }
  const auto typ = meddelande.at("typ").get<std::string>();
  const auto found = referrals_.find(anvisnings_id);
  if (found == referrals_.end()) {
    // Withdrawing an anvisning this Jobbtorg never had is done already: taken, nothing to stop.
    if (typ == "ANVISNING_ATERKALLAD") {
      withdrawn_unknown_.push_back(anvisnings_id);
      out.reply = {
          {"mottagen", true}, {"anvisningsId", anvisnings_id}, {"meddelandeId", key}, {"okandAnvisning", true}};
      reply_by_key_.emplace(key, out.reply);
      return out;
    }
    out.outcome = MessageAcceptance::Outcome::unknown_referral;
    return out;
  }
  Referral& referral = found->second;
  if (referral.withdrawn) {
    out.outcome = MessageAcceptance::Outcome::withdrawn;
    return out;
  }
  nlohmann::json taken = {{"meddelandeId", key}, {"typ", typ}, {"mottagen", now_utc()}};
  if (meddelande.contains("version")) taken["version"] = meddelande["version"];
  if (typ == "ANVISNING_ANDRAD") {
    const auto& andringar = meddelande.at("andringar");
    taken["andringar"] = andringar;
    if (andringar.contains("omfattningTimmarPerVecka"))
      referral.facts.hours_per_week = andringar["omfattningTimmarPerVecka"].get<int>();
    if (andringar.contains("startdatum"))
      referral.facts.start = *parse_date(andringar["startdatum"].get<std::string>());
  } else if (typ == "ANVISNING_ATERKALLAD") {
    taken["orsak"] = meddelande.at("orsak");
    referral.withdrawn = true;
  } else if (typ == "BEDOMNING") {
    taken["bedomning"] = meddelande.at("bedomning");
  } else {
    taken["beslut"] = meddelande.at("beslut");
  }
  referral.meddelanden.push_back(std::move(taken));
  out.reply = {{"mottagen", true}, {"anvisningsId", anvisnings_id}, {"meddelandeId", key}};
  reply_by_key_.emplace(key, out.reply);
  return out;
}

std::optional<ReferralFacts> AnvisningRegister::facts(const std::string& anvisnings_id) const {
  std::lock_guard lock(mutex_);
  const auto found = referrals_.find(anvisnings_id);
  if (found == referrals_.end()) return std::nullopt;
  return found->second.facts;
}

nlohmann::json AnvisningRegister::stats() const {
  std::lock_guard lock(mutex_);
  nlohmann::json by_referral = nlohmann::json::object();
  for (const auto& [id, referral] : referrals_) by_referral[id] = referral.message_ids;
  nlohmann::json out{{"effects", static_cast<std::int64_t>(reply_by_key_.size())},
                     {"by_referral", by_referral},
                     {"withdrawn_unknown", withdrawn_unknown_}};
  counters_.write_to(out);
  return out;
}

nlohmann::json AnvisningRegister::referrals() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& id : referral_order_) {
    const auto& referral = referrals_.at(id);
    out.push_back({{"anvisningsId", id},
                   {"jobbtorgReferens", referral.facts.jobbtorg_referens},
                   {"stadsdel", referral.stadsdel},
                   {"kommunkod", referral.kommunkod},
                   {"startdatum", format_date(referral.facts.start)},
                   {"accepted_at", referral.accepted_at},
                   {"meddelandeIds", referral.message_ids},
                   {"status", referral.withdrawn ? "ATERKALLAD" : "AKTIV"},
                   {"meddelanden", referral.meddelanden}});
    if (!referral.ib_del1_resultat.is_null()) out.back()["ibDel1Resultat"] = referral.ib_del1_resultat;
  }
  return out;
}

void AnvisningRegister::reset() {
  std::lock_guard lock(mutex_);
  counters_.reset();
  // next_reference_ keeps counting: a gateway that outlives the reset may still hold old references.
  reply_by_key_.clear();
  referrals_.clear();
  referral_order_.clear();
  withdrawn_unknown_.clear();
}

}  // namespace knutpunkt::jobbtorg_simulator
