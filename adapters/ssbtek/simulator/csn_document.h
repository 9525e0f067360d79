#pragma once
// CSN's answer to the kommunfråga (csn:CSNSvar), the document carried base64-encoded in
// ssbt:CSN/ssbt:data/ssbt:svar. CSN answers in version 4.0 (schemas/ssbtek/csn-svar.xsd) or, for
// municipalities it has not moved yet, 3.0 (csn-v3-svar.xsd): the same document in v3.0 namespaces
// without omställningsstudiestöd, which came with 4.0.
#include <string>

#include "question.h"
#include "reply_mode.h"
#include "xml_tree.h"

namespace knutpunkt::ssbtek_simulator {

// The kommunfraga version CSN answers this person in: always 4.0 in published mode (the version
// the SSBTEK v10 contract ships); in production the person's "CSN"."schema_version" (default 4.0).
std::string csn_schema_version(const Json& facts, ReplyMode mode);

// The document as bytes. `facts` is the person's "CSN" entry (null: CSN does not know the person);
// payments are those dated within `period`.
std::string csn_document(const std::string& personidentitet, bool skyddad, const Json& facts, const Period& period,
                         ReplyMode mode);

}  // namespace knutpunkt::ssbtek_simulator
