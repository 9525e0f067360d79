#include "http/guard.h"

namespace knutpunkt::http {

bool Guard::admits(const ClientConfig& client, std::string_view param_value) const {
  switch (caller) {
    case Caller::anyone:
    case Caller::signed_in:
      return true;
    case Caller::role:
      return client.roles.contains(role);
    case Caller::partner:
      return client.roles.contains(kRolePartner) && client.partner_adapter == param_value;
  }
  return false;
}

}  // namespace knutpunkt::http
