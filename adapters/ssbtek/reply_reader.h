#pragma once
// Reading what SSBTEK sent back, for every source asked in one call. Strict where safety needs it
// (the protected parser: no DTD, no entities, size and depth limits) and tolerant where real
// replies drift from the published contract: prefixes are the sender's choice, a SOAP Header may
// come, unknown elements are ignored wherever they are, and where a reply departs from the
// published schema the source stays ok and lists the departure as a deviation. Only what a
// mapping needs can fail a source, and one source's departure never touches another's answer.
#include "core/lookup_types.h"
#include "mapping/versioned_mapping.h"
#include "net/http_client.h"
#include "xml/schema.h"

#include <expected>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace knutpunkt::ssbtek {

// testaBastjanstInformationResponse: which sources answered the ping. Empty detail = all ready.
struct TestOutcome {
  bool ready = false;
  std::string detail;
};

class ReplyReader {
 public:
  // `schema` is SSBTEK's envelope XSD (ssbtek-v10.xsd); `mappings` has every source's versions.
  ReplyReader(xml::Schema schema, std::map<std::string, mapping::VersionedMapping> mappings,
              std::size_t max_reply_bytes);

  // Loads the schema and the mapping folder, as the adapter's configuration names them. The error
  // names the file and what is wrong with it.
  static std::expected<ReplyReader, std::string> load(const std::filesystem::path& schema,
                                                      const std::filesystem::path& mappings,
                                                      std::size_t max_reply_bytes = 4 * 1024 * 1024);

  // One outcome per asked source, in the order asked. A transport failure, a SOAP fault or an
  // answer that is not SSBTEK's gives every source the same failure; otherwise each source is
  // read on its own: its data mapped (ok, with deviations), or its own error. Latency is left to
  // the caller.
  std::vector<SourceOutcome> read(const net::HttpResult& result, const std::vector<std::string>& sources) const;

  TestOutcome read_test(const net::HttpResult& result) const;

  const std::map<std::string, mapping::VersionedMapping>& mappings() const { return mappings_; }

 private:
  xml::Schema schema_;
  std::map<std::string, mapping::VersionedMapping> mappings_;
  std::size_t max_reply_bytes_;
};

}  // namespace knutpunkt::ssbtek
