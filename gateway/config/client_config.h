#pragma once
// Who may call the gateway (config "clients") and who may sign in to the console (config
// "users"), as plain values: identity and authorization read these without the rest of the
// configuration.
#include <chrono>
#include <cstddef>
#include <set>
#include <string>
#include <string_view>

namespace knutpunkt {

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
// ("lookup:ssbtek") or at any ("lookup:*"), referrals, återsökningar, SIP coordination,
// registering and closing cases, recording and withdrawing consents. Registering a case and
// recording a consent are what a lookup's scope rests on, so they are grants of their own: a
// client that may look up does not thereby vouch for cases or consents.
inline constexpr const char* kOperationLookup = "lookup";
inline constexpr const char* kOperationReferral = "referral";
inline constexpr const char* kOperationAtersokning = "atersokning";
inline constexpr const char* kOperationSip = "sip";
inline constexpr const char* kOperationCaseRegister = "case:register";
inline constexpr const char* kOperationConsentRecord = "consent:record";

// An organisation clients belong to (config "organisations"): the authority (a nämnd, with its
// förvaltning) that cases and consents belong to. Secrecy (26 kap. 1 § OSL) holds between
// authorities, also within one municipality, so a case or consent is never another
// organisation's to read or rely on. Membership grants nothing by itself: operations do.
struct OrganisationConfig {
  std::string id;
  std::string name;
  std::string municipality;     // kommunkod, 4 digits (e.g. "0180" Stockholm)
  std::set<std::string> units;  // the units it serves; a case it registers names one of them
};

// A client bound to its TLS client certificate (config "certificate"): either one certificate,
// pinned by the SHA-256 of its DER encoding, or any certificate its issuer gives the organisation,
// named by the issuer's distinguished name and the subject's serialNumber (the organisationsnummer
// in a Swedish organisation certificate), so a renewed certificate needs no config change. Either
// way the chain has been verified against the server's client CA bundle first.
struct CertificateBinding {
  std::string sha256;                 // lowercase hex, 64 digits
  std::string issuer;                 // RFC 2253, as `openssl x509 -noout -issuer -nameopt RFC2253` prints it
  std::string subject_serial_number;  // with issuer

  bool empty() const { return sha256.empty() && issuer.empty(); }
};

// What a client proves itself with (config "authentication"). A bearer token alone; a certificate
// alone; or both, so a token that leaks is worthless without the certificate's key.
enum class ClientAuthentication { token, certificate, token_and_certificate };

struct ClientConfig {
  std::string id;
  std::string token_sha256;  // only the hash of the bearer token is kept in config
  CertificateBinding certificate;
  ClientAuthentication authentication = ClientAuthentication::token;
  std::set<std::string> purposes;
  std::set<std::string> roles{kRoleCaseSystem};
  std::set<std::string> operations;  // least privilege: nothing unless listed
  std::string partner_adapter;       // with role partner: the adapter whose reports it may send
  // The organisation whose cases and consents the client registers and relies on. Required for a
  // case system; a partner speaks for its agency through its adapter and belongs to none here.
  std::string organisation;

  // Whether the client may use `operation`, at `adapter` when the operation names one.
  bool may(std::string_view operation, std::string_view adapter = {}) const;
};

// A person signing in to the console (config "users"). Only the PBKDF2 hash of the password is
// kept (identity/password_hash.h).
struct UserConfig {
  std::string id;               // sign-in name, recorded in the audit log for everything the user does
  std::string name;             // shown in the console
  std::set<std::string> roles;  // auditor | operator | admin
  std::string password_hash;
};

// How console sign-in holds against guessing, and how long its sessions last (config
// "console.sign_in"). A user name that fails `max_failures_per_user` times, or an address that
// fails `max_failures_per_address` times across all names, within `failure_window` is refused
// until the window has passed. A session ends after `session_idle` without use, and after
// `session_lifetime` whatever its use.
struct SignInSettings {
  int max_failures_per_user = 5;
  int max_failures_per_address = 20;
  std::chrono::seconds failure_window{15 * 60};
  std::size_t max_tracked = 10000;  // no longer used: budgets are in the store, forgotten with their window
  std::chrono::seconds session_idle{15 * 60};
  std::chrono::seconds session_lifetime{8 * 3600};
};

}  // namespace knutpunkt
