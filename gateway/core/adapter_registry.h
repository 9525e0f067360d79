#pragma once
// Adapters register a factory under a kind name (Envoy-style); the gateway builds the adapters
// its configuration lists. A factory validates its own config and fails start-up with a message
// naming the offending field.
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/adapter.h"
#include "core/config_error.h"
#include "core/inbound_adapter.h"
#include "core/io_context_fwd.h"
#include "core/outbound_adapter.h"

namespace knutpunkt {
namespace net {
class HttpClient;
}

struct AdapterContext {
  boost::asio::io_context& io;
  net::HttpClient& http;
  std::filesystem::path base_dir;  // relative paths in adapter config (mappings, schemas) resolve here
  std::string config_pointer;      // JSON pointer of the adapter's config object, for error messages
};

using LookupAdapterFactory = std::function<std::expected<std::unique_ptr<LookupAdapter>, ConfigError>(
    const nlohmann::json& config, AdapterContext& context)>;

using OutboundAdapterFactory = std::function<std::expected<std::unique_ptr<OutboundAdapter>, ConfigError>(
    const nlohmann::json& config, AdapterContext& context)>;
using InboundAdapterFactory = std::function<std::expected<std::unique_ptr<InboundAdapter>, ConfigError>(
    const nlohmann::json& config, AdapterContext& context)>;

// One kind may register several facets (Jobbtorg: outbound referrals and inbound reports); a
// configured adapter of that kind gets every facet its kind has, each built from the same config.
class AdapterRegistry {
 public:
  static AdapterRegistry& instance();

  void register_lookup_adapter(const std::string& kind, LookupAdapterFactory factory);
  void register_outbound_adapter(const std::string& kind, OutboundAdapterFactory factory);
  void register_inbound_adapter(const std::string& kind, InboundAdapterFactory factory);
  const LookupAdapterFactory* find(const std::string& kind) const;
  const OutboundAdapterFactory* find_outbound(const std::string& kind) const;
  const InboundAdapterFactory* find_inbound(const std::string& kind) const;
  std::vector<std::string> kinds() const;  // every kind with at least one facet

 private:
  std::map<std::string, LookupAdapterFactory> factories_;
  std::map<std::string, OutboundAdapterFactory> outbound_;
  std::map<std::string, InboundAdapterFactory> inbound_;
};

// One line at namespace scope in an adapter's registration file.
struct LookupAdapterRegistration {
  LookupAdapterRegistration(const std::string& kind, LookupAdapterFactory factory) {
    AdapterRegistry::instance().register_lookup_adapter(kind, std::move(factory));
  }
};

struct OutboundAdapterRegistration {
  OutboundAdapterRegistration(const std::string& kind, OutboundAdapterFactory factory) {
    AdapterRegistry::instance().register_outbound_adapter(kind, std::move(factory));
  }
};

struct InboundAdapterRegistration {
  InboundAdapterRegistration(const std::string& kind, InboundAdapterFactory factory) {
    AdapterRegistry::instance().register_inbound_adapter(kind, std::move(factory));
  }
};

}  // namespace knutpunkt
