#pragma once
// Who may call a route, as data next to the route: the router checks it once, before any handler
// runs, so no endpoint writes its own authentication or role check.
#include <string>
#include <string_view>

#include "config/gateway_config.h"

namespace knutpunkt::http {

struct Guard {
  enum class Caller {
    anyone,     // health, the console's pages, sign-in itself
    signed_in,  // any authenticated client or user; the handler scopes what it shows to them
    role,       // a client or user holding `role`
    partner,    // a partner client speaking for the adapter named by the path's `param`
  };
  Caller caller = Caller::anyone;
  std::string role;              // for Caller::role
  std::string param;             // for Caller::partner
  std::string forbidden_detail;  // the 403's detail: what the route is for
  // Beyond the role, an operation the client must be granted (config "operations"), e.g. "sip".
  std::string operation;
  std::string operation_detail;  // the 403's detail when it is not granted

  static Guard anyone() { return {}; }
  static Guard signed_in() {
    Guard g;
    g.caller = Caller::signed_in;
    return g;
  }
  static Guard with_role(std::string role, std::string forbidden_detail) {
    Guard g;
    g.caller = Caller::role;
    g.role = std::move(role);
    g.forbidden_detail = std::move(forbidden_detail);
    return g;
  }
  // Each partner speaks only for itself: Jobbtorg Söder cannot report on Jobbtorg City's referrals.
  static Guard partner_named_by(std::string param, std::string forbidden_detail) {
    Guard g;
    g.caller = Caller::partner;
    g.param = std::move(param);
    g.forbidden_detail = std::move(forbidden_detail);
    return g;
  }
  Guard granted(std::string op, std::string detail) && {
    operation = std::move(op);
    operation_detail = std::move(detail);
    return std::move(*this);
  }

  bool authenticates() const { return caller != Caller::anyone; }
  // Whether `client` (authenticated) may call a route whose path parameter `param` is `param_value`.
  bool admits(const ClientConfig& client, std::string_view param_value) const;
};

}  // namespace knutpunkt::http
