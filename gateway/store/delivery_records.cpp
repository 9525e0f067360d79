#include "store/delivery_records.h"

namespace knutpunkt {

std::string_view to_string(MessageStatus status) {
  switch (status) {
    case MessageStatus::pending:
      return "pending";
    case MessageStatus::delivered:
      return "delivered";
    case MessageStatus::dead:
      return "dead";
    case MessageStatus::withheld:
      return "withheld";
  }
  return "pending";
}

std::optional<MessageStatus> parse_message_status(std::string_view text) {
  if (text == "pending") return MessageStatus::pending;
  if (text == "delivered") return MessageStatus::delivered;
  if (text == "dead") return MessageStatus::dead;
  if (text == "withheld") return MessageStatus::withheld;
  return std::nullopt;
}

}  // namespace knutpunkt
