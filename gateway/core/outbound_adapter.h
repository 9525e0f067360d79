#pragma once
// The narrow interface between the delivery engine and a destination that receives messages
// (a partner such as Jobbtorg, or a case system's webhook). The adapter renders the wire form;
// the engine owns sending, retries, the circuit breaker and the audit trail, so every
// destination gets the same durability guarantees without writing them again.
#include <expected>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace knutpunkt {

namespace net {
class TlsProfile;
}

// What the engine hands an adapter: the stable id (the receiver's idempotency key), the
// message type and the internal payload.
struct OutboundMessage {
  const std::string& id;
  const std::string& type;
  const nlohmann::json& payload;
};

struct OutboundRequest {
  std::string method = "POST";
  std::string path;  // appended to the adapter's endpoint, e.g. "/anvisningar"
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// A message the adapter cannot render (a field its partner requires is missing). Final: retrying
// would fail the same way, so the message goes to the dead letters with this reason.
struct RenderError {
  std::string code;  // e.g. "value_missing", "unsupported_type"
  std::string field;
  std::string message;  // no personal data
};

class OutboundAdapter {
 public:
  virtual ~OutboundAdapter() = default;

  // Base URL messages go to, e.g. "http://jobbtorg.example/api/v1" (credentials never in it).
  virtual const std::string& endpoint() const = 0;

  // What an https endpoint is called with (nullptr for plain http).
  virtual std::shared_ptr<net::TlsProfile> tls() const { return nullptr; }

  virtual std::expected<OutboundRequest, RenderError> render(const OutboundMessage& message) const = 0;
};

}  // namespace knutpunkt
