#pragma once
// The gateway's configuration: data with a schema (schemas/config.schema.json documents it).
// An invalid config stops start-up with a message naming the field (JSON pointer).
#include "core/adapter_registry.h"
#include "delivery/delivery_settings.h"
#include "policy/exchange_policy.h"
#include "routing/route_table.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <expected>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace knutpunkt {

struct ServerConfig {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0 = ephemeral (tests)
  int threads = 2;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds request_timeout{15000};  // reading a request, and the longest a reply may take
};

struct StoreConfig {
  std::string kind = "sqlite";
  std::filesystem::path path;
};

struct LogConfig {
  std::string level = "info";
  std::filesystem::path file;  // empty = stderr
};

struct PurposeConfig {
  std::string code;         // what clients send, e.g. "ekonomiskt_bistand"
  std::string description;  // syfte as sent to partners
};

// What a client may do. case_system: lookups, referrals, its own event feed. partner: reports
// for one adapter (`partner_adapter`). operator: messages, dead letters, replay.
inline constexpr const char* kRoleCaseSystem = "case_system";
inline constexpr const char* kRolePartner = "partner";
inline constexpr const char* kRoleOperator = "operator";
// auditor: the audit API and console (search, timelines, log checks, chain, export). admin:
// operator and auditor both (for users).
inline constexpr const char* kRoleAuditor = "auditor";
inline constexpr const char* kRoleAdmin = "admin";

// Operations a case system may be granted (config "operations"): a lookup at one adapter
// ("lookup:ssbtek") or at any ("lookup:*"), referrals, återsökningar, SIP coordination.
inline constexpr const char* kOperationLookup = "lookup";
inline constexpr const char* kOperationReferral = "referral";
inline constexpr const char* kOperationAtersokning = "atersokning";
inline constexpr const char* kOperationSip = "sip";

struct ClientConfig {
  std::string id;
  std::string token_sha256;  // only the hash of the bearer token is kept in config
  std::set<std::string> purposes;
  std::set<std::string> roles{kRoleCaseSystem};
  std::set<std::string> operations;  // least privilege: nothing unless listed
  std::string partner_adapter;  // with role partner: the adapter whose reports it may send

  // Whether the client may use `operation`, at `adapter` when the operation names one.
  bool may(std::string_view operation, std::string_view adapter = {}) const;
};

struct AdapterConfig {
  std::string name;  // the name in the API path, e.g. /v1/lookups/{name}
  std::string kind;  // the registered factory
  nlohmann::json config;
  std::string pointer;  // where in the config file this adapter's config is, for error messages
  policy::ExchangePolicy policy;  // purposes, legal basis, period limit (config "policy")
  delivery::DestinationSettings delivery;  // when the kind delivers messages (outbound facet)
};

// A person signing in to the console (config "users"). Only the PBKDF2 hash of the password is
// kept (identity/password_hash.h).
struct UserConfig {
  std::string id;    // sign-in name, recorded in the audit log for everything the user does
  std::string name;  // shown in the console
  std::set<std::string> roles;  // auditor | operator | admin
  std::string password_hash;
};

// The audit log's exports and retention (config "audit"). The gateway's Ed25519 key signs export
// manifests and retention checkpoints.
struct AuditConfig {
  std::filesystem::path signing_key;  // PKCS#8 PEM; empty = no exports (503) and no retention
  std::filesystem::path export_dir;
  std::string instance_id = "knutpunkt";  // names the gateway in each manifest
  int retention_days = 0;  // records older than this are removed (gallring); 0 = kept for ever
};

// Where a SIP participant's own system is reached: participants whose organisation id equals
// `organisation`, or starts with it when it ends in "/", get the plan through `adapter`.
// Participants matching none take part outside knutpunkt (the coordinator reaches them).
struct SipParticipantSystem {
  std::string organisation;
  std::string adapter;
};

// Samordnad individuell plan (config "sip").
struct SipConfig {
  // Utan dröjsmål (2 kap. 7 § SoL): a plan without a meeting this many days after the initiative
  // raises sip.meeting_overdue.
  int meeting_within_days = 14;
  std::chrono::seconds reminder_interval{60};  // how often plans are checked for reminders
  std::vector<SipParticipantSystem> participant_systems;
};

// A case system's webhook: its events are pushed there, signed with `secret`.
struct WebhookConfig {
  std::string name;
  std::string client;  // only this client's events ever go here
  std::string url;
  std::string secret;
  delivery::DestinationSettings delivery;
};

struct GatewayConfig {
  ServerConfig server;
  StoreConfig store;
  LogConfig log;
  std::chrono::milliseconds lookup_deadline{8000};  // the whole answer's deadline
  std::map<std::string, PurposeConfig> purposes;
  std::vector<ClientConfig> clients;
  std::vector<UserConfig> users;
  AuditConfig audit;
  std::filesystem::path console_dir;  // the console's static files (config "console.static_dir"); empty = none
  std::vector<AdapterConfig> adapters;
  std::vector<WebhookConfig> webhooks;
  std::vector<routing::RouteRule> routes;
  SipConfig sip;
  std::filesystem::path base_dir;  // relative paths resolve against the config file's directory
};

std::expected<GatewayConfig, ConfigError> parse_config(const nlohmann::json& doc, const std::filesystem::path& base_dir);
std::expected<GatewayConfig, ConfigError> load_config(const std::filesystem::path& file);

}  // namespace knutpunkt
