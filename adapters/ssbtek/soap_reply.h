#pragma once
// Reading what SSBTEK sent back: transport failures, SOAP faults, a source's own `error`
// element, and replies that do not match the contract all become a status with the partner's
// code; only a schema-valid reply with data goes on to the mapping.
#include "core/lookup_types.h"
#include "net/http_client.h"
#include "xml/document.h"
#include "xml/schema.h"

#include <expected>
#include <string>

namespace knutpunkt::ssbtek {

struct ReplyFailure {
  SourceStatus status = SourceStatus::error;
  std::string code;     // the partner's felkod / faultcode, or ours (e.g. "schema_invalid")
  std::string message;  // the partner's felmeddelande / faultstring, or a short description
};

// A valid hamtaBastjanstInformationResponse whose svarsdata holds `source`'s data.
std::expected<xml::Document, ReplyFailure> read_fetch_reply(const net::HttpResult& result, const std::string& source,
                                                            const xml::Schema& schema, std::size_t max_bytes);

// testaBastjanstInformationResponse: which sources answered the ping. Empty detail = all ready.
struct TestOutcome {
  bool ready = false;
  std::string detail;
};
TestOutcome read_test_reply(const net::HttpResult& result, const xml::Schema& schema);

}  // namespace knutpunkt::ssbtek
