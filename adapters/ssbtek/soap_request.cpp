#include "soap_request.h"

#include "core/clock.h"
#include "ssbtek_sources.h"

#include <libxml/tree.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace knutpunkt::ssbtek {

namespace {

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
const xmlChar* x(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

std::string base64(const std::string& bytes) {
  std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
  int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

struct DocFree {
  void operator()(xmlDocPtr doc) const { xmlFreeDoc(doc); }
};

// Builds the envelope with libxml2's tree API so every text value is escaped by the library.
struct Envelope {
  std::unique_ptr<xmlDoc, DocFree> doc{xmlNewDoc(x("1.0"))};
  xmlNsPtr soap = nullptr;
  xmlNsPtr ssbt = nullptr;
  xmlNodePtr body = nullptr;

  explicit Envelope(const SsbtekConfig& config) {
    xmlNodePtr envelope = xmlNewNode(nullptr, x("Envelope"));
    soap = xmlNewNs(envelope, x(std::string(kSoapEnvelopeNs)), x("soapenv"));
    ssbt = xmlNewNs(envelope, x(std::string(find_contract(config.contract_version)->ns)), x("ssbt"));
    xmlSetNs(envelope, soap);
    xmlDocSetRootElement(doc.get(), envelope);
    xmlNewChild(envelope, soap, x("Header"), nullptr);
    body = xmlNewChild(envelope, soap, x("Body"), nullptr);
  }

  xmlNodePtr element(xmlNodePtr parent, const char* name) { return xmlNewChild(parent, ssbt, x(name), nullptr); }
  xmlNodePtr text(xmlNodePtr parent, const char* name, const std::string& value) {
    return xmlNewTextChild(parent, ssbt, x(name), x(value));
  }

  std::string serialise() {
    xmlChar* buffer = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(doc.get(), &buffer, &size, "UTF-8");
    std::string out(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(size));
    xmlFree(buffer);
    return out;
  }
};

}  // namespace

std::string build_fetch_request(const LookupQuery& query, const std::vector<std::string>& sources,
                                const SsbtekConfig& config) {
  Envelope env(config);
  xmlNodePtr request = env.element(env.body, "hamtaBastjanstInformation");

  xmlNodePtr general = env.element(request, "generellaFrageparametrar");
  env.text(general, "frageTidpunkt", now_utc());
  env.text(general, "korrelationsid", query.lookup_id);
  env.text(general, "fraganSkallInkluderasISvaret", "false");
  xmlNodePtr ingivare = env.element(general, "ingivare");
  env.text(ingivare, "organisationsnummer", config.organisationsnummer);
  env.text(ingivare, "namn", config.organisation_name);
  env.text(ingivare, "handlaggare", query.caseworker.id);
  env.text(general, "personidentitet", query.person_id);
  env.text(general, "arendeidentitet", query.case_id);
  xmlNodePtr period = env.element(general, "tidsperiod");
  env.text(period, "fromDatum", query.period_from);
  env.text(period, "tomDatum", query.period_to);
  env.text(general, "syfte", query.purpose_text);
  env.text(general, "lagtext", query.legal_basis);

  xmlNodePtr specific = env.element(request, "specifikaFrageparametrar");
  for (std::string_view code : kSources) {
    const std::string name(code);
    xmlNodePtr element = env.element(specific, name.c_str());
    const bool included = std::find(sources.begin(), sources.end(), name) != sources.end();
    xmlNewProp(element, x("inkludera"), x(included ? "true" : "false"));
    if (included && name == "FK") {
      // FK answers through LEFI: the question is LEFI's JSON, base64-encoded (SSBTEK v10).
      nlohmann::json lefi = {{"personnummer", query.person_id},
                             {"period", {{"from", query.period_from}, {"tom", query.period_to}}}};
      xmlNodePtr fraga = env.element(element, "fraga");
      env.text(fraga, "version", "v9");
      env.text(fraga, "aktorsid", config.fk_aktorsid);
      env.text(fraga, "lefiJsonFraga", base64(lefi.dump()));
    }
  }
  return env.serialise();
}

std::string build_test_request(const SsbtekConfig& config) {
  Envelope env(config);
  env.element(env.body, "testaBastjanstInformation");
  return env.serialise();
}

}  // namespace knutpunkt::ssbtek
