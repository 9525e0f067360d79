#pragma once
// The gateway's configuration: data with a schema (schemas/config.schema.json documents it).
// An invalid config stops start-up with a message naming the field (JSON pointer).
// Plain values only: the delivery, policy and routing settings are value structs, so including
// this header does not pull in Asio, the delivery engine or the adapter registry.
#include <chrono>
#include <cstddef>
#include <expected>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/client_config.h"
#include "config/tls_fields.h"
#include "core/config_error.h"
#include "delivery/delivery_settings.h"
#include "net/tls_profile.h"
#include "policy/exchange_policy.h"
#include "routing/route_rule.h"
#include "store/store_location.h"

namespace knutpunkt {

// Callers not known by a token (config "server.unauthenticated"). Their refusals (401, a path no
// route has, a body over the limit) are audited as one record per address and minute, and an
// address whose refusals use up its bucket is answered 429 until it refills.
struct UnauthenticatedConfig {
  int burst = 60;                             // refusals an address may have in a row before 429
  int per_minute = 60;                        // how fast its bucket refills
  std::size_t max_addresses = 10000;          // addresses tracked at once (open aggregates, buckets)
  std::size_t max_routes_per_aggregate = 16;  // distinct routes an aggregate names; the rest are counted
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0 = ephemeral (tests)
  int threads = 2;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds request_timeout{15000};  // reading a request, and the longest a reply may take
  // Client connections served at once; capped at start to what the descriptor limit leaves room
  // for (http::effective_connection_limit). 512 fits the common default of 1,024 descriptors.
  std::size_t max_connections = 512;
  // How often the readiness checks (the store, every partner's ping) run in the background;
  // /readyz answers from the last, so callers cannot make the gateway probe partners.
  std::chrono::milliseconds readiness_refresh{10000};
  // On SIGTERM the gateway stops accepting and lets requests under way finish for at most this
  // long before it stops; systemd's TimeoutStopSec must be longer.
  std::chrono::milliseconds drain_timeout{10000};
  UnauthenticatedConfig unauthenticated;
  // The gateway's certificate, and the CA its clients' certificates chain to; absent only with
  // plain_http, which the config must ask for by name.
  std::optional<config::ServerTlsSettings> tls;
  bool plain_http = false;
  // Names this gateway instance among those sharing one store (the holder of its delivery
  // leases); empty: host name, process id and random digits, new with every start.
  std::string instance_id;
};

using StoreConfig = StoreLocation;

struct LogConfig {
  std::string level = "info";
  std::filesystem::path file;  // empty = stderr
};

struct PurposeConfig {
  std::string code;         // what clients send, e.g. "ekonomiskt_bistand"
  std::string description;  // syfte as sent to partners
};

struct AdapterConfig {
  std::string name;  // the name in the API path, e.g. /v1/lookups/{name}
  std::string kind;  // the registered factory
  nlohmann::json config;
  std::string pointer;                     // where in the config file this adapter's config is, for error messages
  policy::ExchangePolicy policy;           // purposes, legal basis, period limit (config "policy")
  delivery::DestinationSettings delivery;  // when the kind delivers messages (outbound facet)
};

// The audit log's exports and retention (config "audit"). The gateway's Ed25519 key signs export
// manifests and retention checkpoints.
struct AuditConfig {
  std::filesystem::path signing_key;  // PKCS#8 PEM; empty = no exports (503) and no retention
  std::filesystem::path export_dir;
  std::string instance_id = "knutpunkt";  // names the gateway in each manifest
  int retention_days = 0;  // records older than this are removed (gallring), never younger; 0 = kept for ever
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

// Attendance Jobbtorg reports on referrals (config "attendance").
struct AttendanceConfig {
  // Days of unexcused absence (OGILTIG) within a calendar month that raise
  // referral.absence_flagged, once per referral and month.
  int absence_flag_threshold = 3;
  // Jobbtorg reports late: a month is complete, and its summary raised, this many days after it ends.
  int summary_grace_days = 5;
  std::chrono::seconds summary_interval{300};  // how often complete months are checked for summaries
};

// A case system's webhook: its events are pushed there, signed with `secret`.
struct WebhookConfig {
  std::string name;
  std::string client;  // only this client's events ever go here
  std::string url;
  std::string secret;
  delivery::DestinationSettings delivery;
  std::optional<net::TlsSettings> tls;  // "tls", for an https url
};

struct GatewayConfig {
  ServerConfig server;
  // /delivery: how long this instance's hold on an ordering key lasts (holder: server.instance_id).
  delivery::LeaseSettings delivery_leases;
  StoreConfig store;
  LogConfig log;
  std::chrono::milliseconds lookup_deadline{8000};  // the whole answer's deadline
  std::map<std::string, PurposeConfig> purposes;
  std::vector<OrganisationConfig> organisations;
  std::vector<ClientConfig> clients;
  std::vector<UserConfig> users;
  AuditConfig audit;
  std::filesystem::path console_dir;  // the console's static files (config "console.static_dir"); empty = none
  SignInSettings sign_in;             // config "console.sign_in": guessing limits and session timeouts
  std::vector<AdapterConfig> adapters;
  std::vector<WebhookConfig> webhooks;
  std::vector<routing::RouteRule> routes;
  std::vector<routing::ReferralTimeLimits> route_time_limits;  // one per rule of `routes`, same order
  SipConfig sip;
  AttendanceConfig attendance;
  std::filesystem::path base_dir;  // relative paths resolve against the config file's directory
};

std::expected<GatewayConfig, ConfigError> parse_config(const nlohmann::json& doc,
                                                       const std::filesystem::path& base_dir);
std::expected<GatewayConfig, ConfigError> load_config(const std::filesystem::path& file);

}  // namespace knutpunkt
