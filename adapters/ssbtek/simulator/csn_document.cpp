#include "csn_document.h"

#include <array>
#include <cstdint>

namespace knutpunkt::ssbtek_simulator {

namespace {

struct CsnNames {
  xmlNs* csn;   // kommunfraga
  xmlNs* pers;  // person
  xmlNs* sm;    // studiemedel
  xmlNs* gem;   // csntyper
};

// Published: the prefixes of CSN's own schemas. Production: what CSN's stack writes, the
// kommunfraga namespace as the default and numbered prefixes for the rest.
CsnNames declare_names(xmlNode* root, const std::string& version, ReplyMode mode) {
  const std::string base = "http://schema.csn.se/v" + version + "/";
  const bool published = mode == ReplyMode::published;
  return {xmlNewNs(root, x((base + "kommunfraga").c_str()), published ? x("csn") : nullptr),
          xmlNewNs(root, x((base + "person").c_str()), x(published ? "csnpers" : "ns5")),
          xmlNewNs(root, x((base + "studiemedel").c_str()), x(published ? "csnsm" : "ns6")),
          xmlNewNs(root, x((base + "csntyper").c_str()), x(published ? "csngem" : "ns4"))};
}

std::string yyyymmdd(std::string date) {
  std::erase(date, '-');
  return date;
}

void write_belopp(xmlNode* beloppen, xmlNs* gem, const Json& belopp, const std::string& total) {
  xmlNode* b = element(beloppen, gem, "Belopp");
  leaf(b, gem, "beloppstyp", str(belopp, "typ"));
  leaf(b, gem, "klartext", str(belopp, "klartext"));
  leaf(b, gem, "belopp", str(belopp, "belopp"));
  leaf(b, gem, "totbelopp", total);
}

void write_arende(xmlNode* arenden, const CsnNames& ns, const Json& arende, const Period& period) {
  xmlNode* a = element(arenden, ns.pers, "Arende");
  xmlNewProp(a, x("lopnummer"), x(str(arende, "lopnummer").c_str()));
  leaf(a, ns.sm, "stodform", str(arende, "stodform"));
  leaf(a, ns.sm, "klartext", str(arende, "klartext"));
  leaf(a, ns.sm, "status", str(arende, "status"));
  xmlNode* sokta = element(a, ns.sm, "soktaTider");
  for (const Json& sokt : list(arende, "sokt")) {
    xmlNode* s = element(sokta, ns.sm, "soktTid");
    leaf(s, ns.gem, "soktfrom", yyyymmdd(str(sokt, "from")));
    leaf(s, ns.gem, "sokttom", yyyymmdd(str(sokt, "tom")));
    leaf(s, ns.gem, "soktomfattning", str(sokt, "omfattning"));
    if (sokt.contains("lan")) leaf(s, ns.gem, "soktlan", str(sokt, "lan"));
  }
  xmlNode* beviljade = element(a, ns.sm, "BeviljadeTider");
  for (const Json& tid : list(arende, "beviljat")) {
    xmlNode* b = element(beviljade, ns.sm, "BeviljadTid");
    leaf(b, ns.gem, "starttid", str(tid, "startvecka"));
    leaf(b, ns.gem, "sluttid", str(tid, "slutvecka"));
    leaf(b, ns.gem, "takt", str(tid, "takt"));
    xmlNode* beloppen = element(b, ns.gem, "Beloppen");
    std::int64_t total = 0;
    for (const Json& belopp : list(tid, "belopp")) {
      write_belopp(beloppen, ns.gem, belopp, str(belopp, "totbelopp"));
      total += std::stoll(str(belopp, "totbelopp"));
    }
    leaf(b, ns.gem, "totbelopp", std::to_string(total));
  }
  xmlNode* plan = element(a, ns.sm, "UtbetalningsPlan");
  for (const Json& utbetalning : list(arende, "utbetalningar")) {
    if (!period.contains(str(utbetalning, "datum"))) continue;
    xmlNode* u = element(plan, ns.sm, "Utbetalning");
    leaf(u, ns.gem, "utbetdatum", yyyymmdd(str(utbetalning, "datum")));
    leaf(u, ns.gem, "utbetstatus", str(utbetalning, "status"));
    xmlNode* tid = element(element(u, ns.gem, "Utbetaldatider"), ns.gem, "Utbetaldtid");
    leaf(tid, ns.gem, "startvecka", str(utbetalning, "startvecka"));
    leaf(tid, ns.gem, "slutvecka", str(utbetalning, "slutvecka"));
    xmlNode* beloppen = element(tid, ns.gem, "Beloppen");
    std::int64_t total = 0;
    for (const Json& belopp : list(utbetalning, "belopp")) {
      write_belopp(beloppen, ns.gem, belopp, str(belopp, "belopp"));
      total += std::stoll(str(belopp, "belopp"));
    }
    leaf(tid, ns.gem, "totbelopp", std::to_string(total));
    leaf(u, ns.gem, "totbelopp", std::to_string(total));
  }
}

}  // namespace

std::string csn_schema_version(const Json& facts, ReplyMode mode) {
  if (mode == ReplyMode::published) return "4.0";
  const std::string version = str(facts, "schema_version");
  return version.empty() ? "4.0" : version;
}

std::string csn_document(const std::string& personidentitet, bool skyddad, const Json& facts, const Period& period,
                         ReplyMode mode) {
  const std::string version = csn_schema_version(facts, mode);
  // Omställningsstudiestöd started in 2022 with kommunfraga 4.0; 3.0 has no place for it.
  const bool has_omstallning = version != "3.0";
  Doc doc{xmlNewDoc(x("1.0"))};
  xmlNode* root = xmlNewDocNode(doc.get(), nullptr, x("CSNSvar"), nullptr);
  xmlDocSetRootElement(doc.get(), root);
  const CsnNames ns = declare_names(root, version, mode);
  xmlSetNs(root, ns.csn);
  xmlNewProp(root, x("schemaVersion"), x(version.c_str()));
  xmlNode* resultat = element(element(root, ns.csn, "GemensamtSvarEkbistand"), ns.csn, "Resultat");
  leaf(resultat, ns.csn, "ResultatKod", "0");
  leaf(resultat, ns.csn, "ResultatText", "Fråga besvarad");
  element(root, ns.csn, "GemensamtFragaEkbistand");
  xmlNode* person = element(element(root, ns.csn, "Personer"), ns.csn, "Person");
  // CSN identifies by ten digits plus sekel (the century).
  xmlNewProp(person, x("personnummer"), x(personidentitet.substr(2).c_str()));
  // 3.0 writes Status and sekretess always, blank when they say nothing; 4.0 leaves them out.
  if (facts.is_null())
    xmlNewProp(person, x("Status"), x("Ej träff"));
  else if (!has_omstallning)
    xmlNewProp(person, x("Status"), x("          "));
  if (skyddad)
    xmlNewProp(person, x("sekretess"), x("J"));
  else if (!has_omstallning)
    xmlNewProp(person, x("sekretess"), x("  "));
  xmlNewProp(person, x("sekel"), x(personidentitet.substr(0, 2).c_str()));

  const Json& studiemedel = list(facts, "studiemedel");
  xmlNode* forteckning = element(person, ns.pers, "Studiestodstypforteckning");
  // 4.0 answers J or N per kind of support; 3.0 the number of cases.
  leaf(forteckning, ns.gem, "studiemedel",
       has_omstallning ? (studiemedel.empty() ? "N" : "J") : std::to_string(studiemedel.size()));
  for (const char* kind : {"studiehjalp", "hemutrustningslan", "studiestartsstod"})
    leaf(forteckning, ns.gem, kind, has_omstallning ? "N" : "0");
  if (has_omstallning) leaf(forteckning, ns.gem, "omstallningsstudiestod", "N");

  xmlNode* studiemedel_element = element(person, ns.pers, "Studiemedel");
  if (!studiemedel.empty()) {
    xmlNode* arenden = element(studiemedel_element, ns.pers, "Arenden");
    for (const Json& arende : studiemedel) write_arende(arenden, ns, arende, period);
  }
  for (const char* kind : {"Studiehjalp", "HemutrustningsLan", "Studiestartsstod"}) element(person, ns.pers, kind);
  if (has_omstallning) element(person, ns.pers, "Omstallningsstudiestod");
  return serialise(doc.get());
}

}  // namespace knutpunkt::ssbtek_simulator
