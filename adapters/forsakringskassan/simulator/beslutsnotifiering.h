#pragma once
// The decision notifications this Försäkringskassan pushes to the gateway
// (schemas/forsakringskassan/beslutsnotifiering.schema.json): built from an accepted återsökning
// (FK pays the nämnd) or from a test's request to POST /_sim/notifications.
#include <cstdint>
#include <expected>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "atersokning_register.h"

namespace knutpunkt::fk_simulator {

struct Decision {
  std::string personnummer;
  bool skyddad = false;
  std::string forman = "FK:BOB";
  std::string utfall = "BIFALL";
  std::optional<std::string> from;
  std::optional<std::string> tom;
  std::optional<std::int64_t> ore;
  std::string belopp_period = "MANAD";
  std::optional<std::string> utbetalningsmottagare;
  std::optional<std::string> atersokningsId;
};

// FK's answer to an accepted återsökning: BIFALL, the claimed amount once (ENGANGS), paid to the nämnd.
Decision decision_on(const Claim& claim);

// `beslutsId` is derived from the notification id, so a repeated notification names the same decision.
nlohmann::json build_notification(const std::string& notifieringsId, const std::string& skapad,
                                  const Decision& decision);

// Kronor with at most two decimals, as LEFI writes `summa`: 123450 öre -> 1234.5, 100000 -> 1000.
nlohmann::json kronor(std::int64_t ore);

// POST /_sim/notifications: {"personnummer", "forman"?, "utfall"?, "skyddad"? (default: the test
// person's flag), "belopp_ore"?, "period"? {"from","tom"}, "utbetalningsmottagare"?, "atersokningsId"?,
// "duplicates"? (extra sends of the same notification, 0..100)}. The personnummer is not checked
// beyond being 10..13 characters: a test may want the gateway to see a bad one.
struct NotificationOrder {
  Decision decision;
  int duplicates = 0;
};
std::expected<NotificationOrder, FieldRefusal> read_notification_order(const nlohmann::json& body,
                                                                       const nlohmann::json& persons);

}  // namespace knutpunkt::fk_simulator
