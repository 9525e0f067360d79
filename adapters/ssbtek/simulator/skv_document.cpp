#include "skv_document.h"

namespace knutpunkt::ssbtek_simulator {

namespace {

constexpr const char* kInstansNs =
    "http://xmls.skatteverket.se/se/skatteverket/zg/instans/standardiseradInformation/1.0";
constexpr const char* kBeskattningNs =
    "http://xmls.skatteverket.se/se/skatteverket/zg/komponent/infoForBeskattning/1.0";
constexpr const char* kFolkbokforingNs =
    "http://xmls.skatteverket.se/se/skatteverket/zg/komponent/infoForFolkbokforing/1.0";

struct SkvNames {
  xmlNs* instans;
  xmlNs* besko;
  xmlNs* folko;
};

xmlNode* personuppgift(xmlNode* lista, const SkvNames& ns, const std::string& personidentitet, const Json& person,
                       const char* status) {
  xmlNode* p = element(lista, ns.instans, "Personuppgift");
  leaf(p, ns.folko, "IdentitetsbeteckningFysiskPerson", personidentitet);
  const bool skyddad = person.value("skyddad", false);
  if (!skyddad && !str(person, "fornamn").empty()) {
    leaf(p, ns.folko, "Fornamn", str(person, "fornamn"));
    leaf(p, ns.folko, "Efternamn", str(person, "efternamn"));
  }
  if (skyddad) leaf(p, ns.folko, "Sekretessmarkering", "J");
  leaf(p, ns.instans, "StatusPersonuppgiftKod", status);
  return p;
}

}  // namespace

Doc skv_document(const std::string& personidentitet, const Json& person, const Json& facts) {
  Doc doc{xmlNewDoc(x("1.0"))};
  xmlNode* root = xmlNewDocNode(doc.get(), nullptr, x("SvarBeskattningsuppgifterEnligtSFS2008-975"), nullptr);
  xmlDocSetRootElement(doc.get(), root);
  // Skatteverket's own prefixes: the instans namespace as the default, besko and folko for the
  // components.
  const SkvNames ns{xmlNewNs(root, x(kInstansNs), nullptr), xmlNewNs(root, x(kBeskattningNs), x("besko")),
                    xmlNewNs(root, x(kFolkbokforingNs), x("folko"))};
  xmlSetNs(root, ns.instans);
  xmlNode* lista = element(root, ns.instans, "PersonuppgiftLista");
  const Json& years = list(facts, "beskattning");
  if (years.empty()) {
    personuppgift(lista, ns, personidentitet, facts.is_null() ? Json::object() : person, "2");
    return doc;
  }
  for (const Json& year : years) {
    xmlNode* p = personuppgift(lista, ns, personidentitet, person, "1");
    xmlNode* kapital = element(p, ns.instans, "Kapitaluppgift");
    leaf(kapital, ns.besko, "Taxeringsar", str(year, "taxeringsar"));
    leaf(kapital, ns.besko, "SummaIntakterPaKapital", str(year, "summa_intakter_kapital"));
    leaf(kapital, ns.besko, "OverskottPaKapital", str(year, "overskott_kapital"));
    xmlNode* forvarv = element(p, ns.instans, "Forvarvsinkomstuppgift");
    leaf(forvarv, ns.besko, "Taxeringsar", str(year, "taxeringsar"));
    leaf(forvarv, ns.besko, "OverskottAvTjanst", str(year, "overskott_tjanst"));
    leaf(forvarv, ns.besko, "FaststalldForvarvsinkomst", str(year, "faststalld_forvarvsinkomst"));
  }
  return doc;
}

}  // namespace knutpunkt::ssbtek_simulator
