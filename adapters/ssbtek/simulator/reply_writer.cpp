#include "reply_writer.h"

#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace knutpunkt::ssbtek_simulator {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kSoapNs = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr const char* kSsbtNs = "http://schema.forsakringskassan.se/integration/ssbt/10";
constexpr const char* kAfNs = "http://api.arbetsformedlingen.se/arbetssokande/ersattningsstod/v2";
constexpr const char* kSoNs = "http://INT014.UBPService.Schemas";
constexpr const char* kTnsNs = "http://schema.transportstyrelsen.se/ssbtek/hamtauppgifterresponder/1";
constexpr const char* kFordonNs = "http://schema.transportstyrelsen.se/ssbtek/fordon/1";
constexpr const char* kCsnNs = "http://schema.csn.se/v4.0/kommunfraga";
constexpr const char* kCsnPersonNs = "http://schema.csn.se/v4.0/person";
constexpr const char* kCsnStudiemedelNs = "http://schema.csn.se/v4.0/studiemedel";
constexpr const char* kCsnTyperNs = "http://schema.csn.se/v4.0/csntyper";

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

const xmlChar* x(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}

// Not xmlNewChild: given no namespace it puts the child in the parent's, but SKV's, MIV's and the
// SOAP Fault's children must be unqualified.
xmlNode* element(xmlNode* parent, xmlNs* ns, const char* name) {
  return xmlAddChild(parent, xmlNewDocNode(parent->doc, ns, x(name), nullptr));
}

// The value becomes a text node, escaped on output; values are never spliced into markup by hand.
xmlNode* leaf(xmlNode* parent, xmlNs* ns, const char* name, const std::string& value) {
  xmlNode* node = element(parent, ns, name);
  xmlNodeAddContentLen(node, x(value.c_str()), static_cast<int>(value.size()));
  return node;
}

std::string str(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || object[key].is_null()) return {};
  const Json& value = object[key];
  return value.is_string() ? value.get<std::string>() : value.dump();
}

const Json& list(const Json& object, const char* key) {
  static const Json empty = Json::array();
  if (!object.is_object() || !object.contains(key) || !object[key].is_array()) return empty;
  return object[key];
}

bool within(const std::string& date, const Period& period) {
  return period.from <= date && date <= period.to;
}
bool overlaps(const std::string& from, const std::string& to, const Period& period) {
  return from <= period.to && (to.empty() || to >= period.from);
}
std::string yyyymmdd(std::string date) {
  std::erase(date, '-');
  return date;
}

// "8625.50" -> 862550 öre; amounts are kept in öre so sums and differences are exact.
std::int64_t ore(const std::string& amount) {
  const bool negative = !amount.empty() && amount.front() == '-';
  const std::string digits = negative ? amount.substr(1) : amount;
  const auto dot = digits.find('.');
  const std::int64_t kronor = std::stoll(dot == std::string::npos ? digits : digits.substr(0, dot));
  std::string fraction = dot == std::string::npos ? "" : digits.substr(dot + 1);
  fraction.resize(2, '0');
  const std::int64_t value = kronor * 100 + std::stoll(fraction);
  return negative ? -value : value;
}

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string serialise(xmlDoc* doc) {
  xmlChar* buffer = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(doc, &buffer, &size, "UTF-8", 1);
  std::string out(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(size));
  xmlFree(buffer);
  return out;
}

// A document's root element as text, without the XML declaration (SKV's svar carries it so).
std::string serialise_root(xmlDoc* doc) {
  xmlBuffer* buffer = xmlBufferCreate();
  xmlNodeDump(buffer, doc, xmlDocGetRootElement(doc), 0, 1);
  std::string out(reinterpret_cast<const char*>(xmlBufferContent(buffer)),
                  static_cast<std::size_t>(xmlBufferLength(buffer)));
  xmlBufferFree(buffer);
  return out;
}

struct Envelope {
  Doc doc;
  xmlNode* body = nullptr;
};

Envelope new_envelope() {
  Envelope envelope{Doc{xmlNewDoc(x("1.0"))}};
  xmlNode* root = xmlNewDocNode(envelope.doc.get(), nullptr, x("Envelope"), nullptr);
  xmlDocSetRootElement(envelope.doc.get(), root);
  xmlSetNs(root, xmlNewNs(root, x(kSoapNs), x("soap")));
  envelope.body = element(root, root->ns, "Body");
  return envelope;
}

bool skyddad(const PersonFacts& person) {
  return person.value("skyddad", false);
}

struct Names {
  xmlNs* ssbt;
  xmlNs* af;
  xmlNs* so;
  xmlNs* tns;
  xmlNs* frdn;
};

struct SourceContext {
  const Question& question;
  const PersonFacts& person;
  const Json& facts;  // the person's facts for this source; null when the source knows nothing
  Period period;
  Names ns;
};

// ---- AF: Arbetsförmedlingen (af:SvarMeddelande) -------------------------------------------------
void write_af(xmlNode* data, const SourceContext& c) {
  const Question& q = c.question;
  xmlNode* fraga = element(data, c.ns.af, "Fraga");
  leaf(fraga, c.ns.af, "OrganisationsnummerForIngivare", q.ingivare.organisationsnummer);
  leaf(fraga, c.ns.af, "NamnPaIngivare", q.ingivare.namn);
  leaf(fraga, c.ns.af, "KontonamnForHandlaggare", q.ingivare.handlaggare);
  leaf(fraga, c.ns.af, "Referensnummer", q.arendeidentitet);
  leaf(fraga, c.ns.af, "From", c.period.from);
  leaf(fraga, c.ns.af, "Tom", c.period.to);
  leaf(fraga, c.ns.af, "SyfteMedFraga", q.syfte);
  leaf(fraga, c.ns.af, "LagParagraf", q.lagtext);
  if (!q.bitraden.empty()) {
    leaf(fraga, c.ns.af, "OrganisationsnummerForPersonuppgiftsbitrade", q.bitraden.front().organisationsnummer);
    leaf(fraga, c.ns.af, "NamnPaPersonuppgiftsbitrade", q.bitraden.front().namn);
  }
  leaf(fraga, c.ns.af, "IdentitetsbeteckningFysiskPerson", q.personidentitet);

  xmlNode* svar = element(data, c.ns.af, "Svar");
  leaf(svar, c.ns.af, "Schemaversion", "2.0");
  leaf(svar, c.ns.af, "Referensnummer", q.arendeidentitet);
  leaf(svar, c.ns.af, "LagParagraf", q.lagtext);
  leaf(svar, c.ns.af, "IdentitetsbeteckningFysiskPerson", q.personidentitet);
  if (c.facts.is_null()) {
    leaf(svar, c.ns.af, "StatusSokandeinformationKod", "2");
    leaf(svar, c.ns.af, "StatusSokandeinformationKodText", "Personen finns inte registrerad hos Arbetsförmedlingen");
    return;
  }
  if (!skyddad(c.person)) {
    leaf(svar, c.ns.af, "Fornamn", str(c.person, "fornamn"));
    leaf(svar, c.ns.af, "Efternamn", str(c.person, "efternamn"));
  }
  leaf(svar, c.ns.af, "Sekretessmarkering", skyddad(c.person) ? "true" : "false");
  xmlNode* info = element(svar, c.ns.af, "ArbetssokandeInfo");
  leaf(info, c.ns.af, "Arbetssokande", c.facts.value("arbetssokande", false) ? "true" : "false");
  leaf(info, c.ns.af, "ArbetssokandeSKAT", str(c.facts, "sokandekategori"));
  leaf(info, c.ns.af, "ArbetssokandeRegistrerad", str(c.facts, "registrerad"));
  leaf(info, c.ns.af, "ArbetssokandeOmfattning", str(c.facts, "omfattning"));
  if (!str(c.facts, "avaktualiserad").empty())
    leaf(info, c.ns.af, "ArbetssokandeAvaktualiserad", str(c.facts, "avaktualiserad"));
  xmlNode* rapport = element(info, c.ns.af, "AktivetetsRapportDatum");
  const Json& aktivitetsrapport = c.facts.contains("aktivitetsrapport") ? c.facts["aktivitetsrapport"] : Json::object();
  leaf(rapport, c.ns.af, "AktivitetsRapportMeddelande", str(aktivitetsrapport, "meddelande"));
  if (!str(aktivitetsrapport, "senaste").empty())
    leaf(rapport, c.ns.af, "SenasteAktivitetsRapportDatum", str(aktivitetsrapport, "senaste"));
  xmlNode* beslut_list = element(element(svar, c.ns.af, "BeslutInfo"), c.ns.af, "EkonomiskaBeslut");
  for (const Json& beslut : list(c.facts, "beslut")) {
    if (!overlaps(str(beslut, "from"), str(beslut, "tom"), c.period)) continue;
    xmlNode* b = element(beslut_list, c.ns.af, "Beslut");
    leaf(b, c.ns.af, "ErsattningTyp", str(beslut, "ersattningstyp"));
    leaf(b, c.ns.af, "Omfattning", str(beslut, "omfattning"));
    leaf(b, c.ns.af, "BeslutFrom", str(beslut, "from"));
    leaf(b, c.ns.af, "BeslutTom", str(beslut, "tom"));
  }
  if (!str(c.facts, "akassa").empty()) leaf(svar, c.ns.af, "Akassetillhorighet", str(c.facts, "akassa"));
  leaf(svar, c.ns.af, "StatusSokandeinformationKod", "1");
  leaf(svar, c.ns.af, "StatusSokandeinformationKodText", "Personen finns registrerad hos Arbetsförmedlingen");
}

// ---- CSN: base64 of a csn:CSNSvar document ------------------------------------------------------
void write_csn_belopp(xmlNode* beloppen, xmlNs* gem, const Json& belopp, const std::string& total) {
  xmlNode* b = element(beloppen, gem, "Belopp");
  leaf(b, gem, "beloppstyp", str(belopp, "typ"));
  leaf(b, gem, "klartext", str(belopp, "klartext"));
  leaf(b, gem, "belopp", str(belopp, "belopp"));
  leaf(b, gem, "totbelopp", total);
}

std::string csn_document(const SourceContext& c) {
  Doc doc{xmlNewDoc(x("1.0"))};
  xmlNode* root = xmlNewDocNode(doc.get(), nullptr, x("CSNSvar"), nullptr);
  xmlDocSetRootElement(doc.get(), root);
  xmlNs* csn = xmlNewNs(root, x(kCsnNs), x("csn"));
  xmlNs* pers = xmlNewNs(root, x(kCsnPersonNs), x("csnpers"));
  xmlNs* sm = xmlNewNs(root, x(kCsnStudiemedelNs), x("csnsm"));
  xmlNs* gem = xmlNewNs(root, x(kCsnTyperNs), x("csngem"));
  xmlSetNs(root, csn);
  xmlNewProp(root, x("schemaVersion"), x("4.0"));
  xmlNode* resultat = element(element(root, csn, "GemensamtSvarEkbistand"), csn, "Resultat");
  leaf(resultat, csn, "ResultatKod", "0");
  leaf(resultat, csn, "ResultatText", "Fråga besvarad");
  element(root, csn, "GemensamtFragaEkbistand");
  xmlNode* person = element(element(root, csn, "Personer"), csn, "Person");
  // CSN identifies by ten digits plus sekel (the century).
  const std::string& pnr = c.question.personidentitet;
  xmlNewProp(person, x("personnummer"), x(pnr.substr(2).c_str()));
  if (c.facts.is_null()) xmlNewProp(person, x("Status"), x("Ej träff"));
  if (skyddad(c.person)) xmlNewProp(person, x("sekretess"), x("J"));
  xmlNewProp(person, x("sekel"), x(pnr.substr(0, 2).c_str()));

  const Json& studiemedel = list(c.facts, "studiemedel");
  xmlNode* forteckning = element(person, pers, "Studiestodstypforteckning");
  leaf(forteckning, gem, "studiemedel", studiemedel.empty() ? "N" : "J");
  for (const char* kind : {"studiehjalp", "hemutrustningslan", "studiestartsstod", "omstallningsstudiestod"})
    leaf(forteckning, gem, kind, "N");
  xmlNode* studiemedel_element = element(person, pers, "Studiemedel");
  if (!studiemedel.empty()) {
    xmlNode* arenden = element(studiemedel_element, pers, "Arenden");
    for (const Json& arende : studiemedel) {
      xmlNode* a = element(arenden, pers, "Arende");
      xmlNewProp(a, x("lopnummer"), x(str(arende, "lopnummer").c_str()));
      leaf(a, sm, "stodform", str(arende, "stodform"));
      leaf(a, sm, "klartext", str(arende, "klartext"));
      leaf(a, sm, "status", str(arende, "status"));
      xmlNode* sokta = element(a, sm, "soktaTider");
      for (const Json& sokt : list(arende, "sokt")) {
        xmlNode* s = element(sokta, sm, "soktTid");
        leaf(s, gem, "soktfrom", yyyymmdd(str(sokt, "from")));
        leaf(s, gem, "sokttom", yyyymmdd(str(sokt, "tom")));
        leaf(s, gem, "soktomfattning", str(sokt, "omfattning"));
        if (sokt.contains("lan")) leaf(s, gem, "soktlan", str(sokt, "lan"));
      }
      xmlNode* beviljade = element(a, sm, "BeviljadeTider");
      for (const Json& tid : list(arende, "beviljat")) {
        xmlNode* b = element(beviljade, sm, "BeviljadTid");
        leaf(b, gem, "starttid", str(tid, "startvecka"));
        leaf(b, gem, "sluttid", str(tid, "slutvecka"));
        leaf(b, gem, "takt", str(tid, "takt"));
        xmlNode* beloppen = element(b, gem, "Beloppen");
        std::int64_t total = 0;
        for (const Json& belopp : list(tid, "belopp")) {
          write_csn_belopp(beloppen, gem, belopp, str(belopp, "totbelopp"));
          total += std::stoll(str(belopp, "totbelopp"));
        }
        leaf(b, gem, "totbelopp", std::to_string(total));
      }
      xmlNode* plan = element(a, sm, "UtbetalningsPlan");
      for (const Json& utbetalning : list(arende, "utbetalningar")) {
        if (!within(str(utbetalning, "datum"), c.period)) continue;
        xmlNode* u = element(plan, sm, "Utbetalning");
        leaf(u, gem, "utbetdatum", yyyymmdd(str(utbetalning, "datum")));
        leaf(u, gem, "utbetstatus", str(utbetalning, "status"));
        xmlNode* tid = element(element(u, gem, "Utbetaldatider"), gem, "Utbetaldtid");
        leaf(tid, gem, "startvecka", str(utbetalning, "startvecka"));
        leaf(tid, gem, "slutvecka", str(utbetalning, "slutvecka"));
        xmlNode* beloppen = element(tid, gem, "Beloppen");
        std::int64_t total = 0;
        for (const Json& belopp : list(utbetalning, "belopp")) {
          write_csn_belopp(beloppen, gem, belopp, str(belopp, "belopp"));
          total += std::stoll(str(belopp, "belopp"));
        }
        leaf(tid, gem, "totbelopp", std::to_string(total));
        leaf(u, gem, "totbelopp", std::to_string(total));
      }
    }
  }
  for (const char* kind : {"Studiehjalp", "HemutrustningsLan", "Studiestartsstod", "Omstallningsstudiestod"})
    element(person, pers, kind);
  return serialise(doc.get());
}

void write_csn(xmlNode* data, const SourceContext& c) {
  leaf(data, c.ns.ssbt, "svar", base64(csn_document(c)));
}

// ---- FK: base64 of a LEFI v9 JSON answer ---------------------------------------------------------
Json money(std::int64_t amount_ore) {
  return Json{{"summa", static_cast<double>(amount_ore) / 100.0}, {"valuta", "SEK"}};
}

std::string group_description(const std::string& group) {
  static const std::map<std::string, std::string> known{{"FK:BOB", "Bostadsbidrag"}};
  auto found = known.find(group);
  return found != known.end() ? found->second : group;
}

// LEFI refuses periods longer than two years (HTTP 400); SSBTEK passes that on as a source error.
bool longer_than_two_years(const Period& period) {
  const int year = std::stoi(period.from.substr(0, 4));
  return period.to > std::to_string(year + 2) + period.from.substr(4);
}

Json lefi_answer(const SourceContext& c, const std::string& avvikelse_group) {
  Json answer{{"utlamnare", Json::array({Json{{"utlamnare", {{"kod", "FK"}, {"namn", "Försäkringskassan"}}},
                                              {"tillstand", {{"kod", "OK"}, {"beskrivning", "Tillgänglig"}}}}})},
              {"avvikelser", Json::object()},
              {"formansinformation", Json::object()}};
  if (c.facts.is_null()) return answer;
  Json& info = answer["formansinformation"];
  Json person{{"personnummer", c.question.personidentitet}, {"foddes", str(c.person, "fodd")}};
  // Protected identity: LEFI flags it and gives neither name nor address.
  if (!skyddad(c.person)) person["namn"] = str(c.person, "fornamn") + " " + str(c.person, "efternamn");
  person["skyddad"] = skyddad(c.person);
  info["generellPersoninformation"] = Json::array({person});

  const std::string avvikelse_forman =
      avvikelse_group.find(':') != std::string::npos ? avvikelse_group.substr(avvikelse_group.find(':') + 1) : "";
  if (c.facts.contains("arenden")) {
    for (const auto& [kind, arenden] : c.facts["arenden"].items()) {
      bool hit_by_avvikelse = false;
      for (const Json& arende : arenden)
        for (const Json& beslut : list(arende, "beslut"))
          if (!avvikelse_forman.empty() && beslut.contains("forman") && str(beslut["forman"], "id") == avvikelse_forman)
            hit_by_avvikelse = true;
      if (!hit_by_avvikelse) info[kind] = arenden;
    }
  }
  Json payments = Json::array();
  for (const Json& u : list(c.facts, "utbetalningar")) {
    if (!within(str(u, "datum"), c.period)) continue;
    if (!avvikelse_group.empty() && str(u, "grupp") == avvikelse_group) continue;
    const std::int64_t brutto = ore(str(u, "brutto"));
    const std::int64_t skatt = ore(str(u, "skatt"));
    const Json forman{{"id", str(u, "forman")}, {"beskrivning", str(u, "beskrivning")}};
    const Json period{{"fran", str(u, "fran")}, {"till", str(u, "till")}};
    Json details = Json::array(
        {Json{{"forman", forman}, {"period", period}, {"beloppstyp", forman}, {"bruttobelopp", money(brutto)}}});
    if (skatt > 0)
      details.push_back(Json{{"forman", forman},
                             {"period", period},
                             {"beloppstyp", {{"id", "PS"}, {"beskrivning", "Preliminär skatt"}}},
                             {"skattebelopp", money(skatt)}});
    payments.push_back(Json{{"typ", {{"id", 1}, {"beskrivning", "Månad"}}},
                            {"foretag", {{"id", 1001}, {"beskrivning", "Försäkringskassan"}}},
                            {"formansfamilj", forman},
                            {"datum", str(u, "datum")},
                            {"period", period},
                            {"bruttobelopp", money(brutto)},
                            {"skattebelopp", money(skatt)},
                            {"avdragsbelopp", money(skatt)},
                            {"nettobelopp", money(brutto - skatt)},
                            {"utbetalningsdetalj", details}});
  }
  info["utbetalningsuppgift"] = payments;
  if (!avvikelse_group.empty()) {
    const Json avvikelse{
        {"avvikelse", {{"kod", "INTERNT_FEL"}, {"beskrivning", "Delsystemet svarade inte"}}},
        {"formansgrupp", {{"kod", avvikelse_group}, {"beskrivning", group_description(avvikelse_group)}}}};
    answer["avvikelser"] =
        Json{{"formansinformation", Json::array({avvikelse})}, {"utbetalningar", Json::array({avvikelse})}};
  }
  return answer;
}

void write_fk(xmlNode* data, const SourceContext& c, const std::string& avvikelse_group) {
  leaf(data, c.ns.ssbt, "lefiJsonSvar", base64(lefi_answer(c, avvikelse_group).dump()));
}

// ---- SKV: svar is the text of a Beskattningsuppgifter document (skv-beskattningsuppgifter.xsd) --
std::string skv_text(const SourceContext& c) {
  Doc doc{xmlNewDoc(x("1.0"))};
  xmlNode* root = xmlNewDocNode(doc.get(), nullptr, x("Beskattningsuppgifter"), nullptr);
  xmlDocSetRootElement(doc.get(), root);
  leaf(root, nullptr, "Personnummer", c.question.personidentitet);
  if (!c.facts.is_null() && !skyddad(c.person)) {
    leaf(root, nullptr, "Fornamn", str(c.person, "fornamn"));
    leaf(root, nullptr, "Efternamn", str(c.person, "efternamn"));
  }
  for (const Json& ar : list(c.facts, "beskattningsar")) {
    xmlNode* e = element(root, nullptr, "Beskattningsar");
    leaf(e, nullptr, "Inkomstar", str(ar, "inkomstar"));
    leaf(e, nullptr, "Beslutsdatum", str(ar, "beslutsdatum"));
    leaf(e, nullptr, "TaxeradForvarvsinkomst", str(ar, "forvarvsinkomst"));
    leaf(e, nullptr, "Kapitalinkomst", str(ar, "kapitalinkomst"));
    leaf(e, nullptr, "SlutligSkatt", str(ar, "slutligskatt"));
  }
  return serialise_root(doc.get());
}

// SKV's schema leaves local elements unqualified: <svar> has no namespace.
void write_skv(xmlNode* data, const SourceContext& c) {
  leaf(data, nullptr, "svar", skv_text(c));
}

// ---- SO: the unemployment insurance funds (so:GetUnemploymentBenefitPaymentResponseType) -------
void write_so(xmlNode* data, const SourceContext& c) {
  const Question& q = c.question;
  xmlNs* so = c.ns.so;
  leaf(data, so, "OrganisationsnummerIngivare", q.ingivare.organisationsnummer);
  leaf(data, so, "NamnIngivare", q.ingivare.namn);
  leaf(data, so, "KontonamnHandlaggare", q.ingivare.handlaggare);
  leaf(data, so, "Referensnummer", q.arendeidentitet);
  leaf(data, so, "From", c.period.from);
  leaf(data, so, "Tom", c.period.to);
  leaf(data, so, "Syfte", q.syfte);
  leaf(data, so, "Paragraf", q.lagtext);
  for (const auto& bitrade : q.bitraden)
    leaf(data, so, "OrganisationsnummerPersonuppgiftsbitrade", bitrade.organisationsnummer);
  for (const auto& bitrade : q.bitraden) leaf(data, so, "NamnPersonuppgiftsbitrade", bitrade.namn);
  leaf(data, so, "IdentificationNumber", q.personidentitet);
  xmlNode* lista = element(data, so, "ArbetsloshetsersattningLista");
  for (const Json& kassa : list(c.facts, "kassor")) {
    xmlNode* a = element(lista, so, "Arbetsloshetsersattning");
    leaf(a, so, "SvarandeOrganisation", str(kassa, "namn"));
    leaf(a, so, "StatusSvarandeOrganisation", str(kassa, "status"));
    for (const Json& u : list(kassa, "utbetalningar")) {
      if (!within(str(u, "datum"), c.period)) continue;
      xmlNode* e = element(a, so, "Utbetalningar");
      leaf(e, so, "Utbetalningsdatum", str(u, "datum"));
      leaf(e, so, "NettoEfterSkatt", str(u, "nettoEfterSkatt"));
      leaf(e, so, "NettoEfterAvdrag", str(u, "nettoEfterAvdrag"));
      leaf(e, so, "Ersattningsdagar", str(u, "dagar"));
      leaf(e, so, "AvserFrom", str(u, "from"));
      leaf(e, so, "AvserTom", str(u, "tom"));
    }
    for (const Json& avstangning : list(kassa, "avstangningar")) {
      if (!overlaps(str(avstangning, "from"), str(avstangning, "tom"), c.period)) continue;
      xmlNode* e = element(a, so, "Avstangningar");
      leaf(e, so, "AvstangdFrom", str(avstangning, "from"));
      leaf(e, so, "AvstangdTom", str(avstangning, "tom"));
    }
    if (kassa.contains("ansokt")) {
      xmlNode* e = element(a, so, "AnsoktOmErsattning");
      leaf(e, so, "BeslutOmRattTillErsattning", str(kassa["ansokt"], "beslutOmRatt"));
      leaf(e, so, "AnsokanOmUtbetalningInlamnad", kassa["ansokt"].value("inlamnad", false) ? "true" : "false");
    }
  }
}

// ---- TNS: Transportstyrelsen (tns:HamtaUppgifterResponseType) -----------------------------------
void write_tns(xmlNode* data, const SourceContext& c) {
  leaf(data, c.ns.tns, "resultat", "OK");
  xmlNode* innehav = element(data, c.ns.tns, "fordonsinnehav");
  for (const Json& fordon : list(c.facts, "fordon")) {
    xmlNode* f = element(innehav, c.ns.frdn, "fordon");
    for (const char* field : {"regnr", "fabrikat", "fordonsar", "fordonsslag", "handelsbeteckning"})
      leaf(f, c.ns.frdn, field, str(fordon, field));
  }
}

// ---- MIV: Migrationsverket (miv:findByPersonnummerResponse; local elements unqualified) --------
void write_miv(xmlNode* data, const SourceContext& c) {
  if (c.facts.is_null()) return;
  xmlNode* response = element(data, nullptr, "response");
  if (c.question.korrelationsid) leaf(response, nullptr, "korrelationsid", *c.question.korrelationsid);
  leaf(response, nullptr, "correlationid", c.question.arendeidentitet);
  if (!skyddad(c.person)) {
    leaf(response, nullptr, "efternamn", str(c.person, "efternamn"));
    leaf(response, nullptr, "fornamn", str(c.person, "fornamn"));
  }
  leaf(response, nullptr, "hemland", str(c.facts, "hemland"));
  leaf(response, nullptr, "inresedatum", str(c.facts, "inresedatum"));
  leaf(response, nullptr, "personnummer", c.question.personidentitet);
  xmlNode* collection = element(response, nullptr, "svarCollection");
  for (const Json& arende : list(c.facts, "arenden")) {
    xmlNode* svar = element(collection, nullptr, "svar");
    for (const char* field :
         {"anledning", "anledningNamn", "ansokningsdatum", "arendeTyp", "arendeTypNamn", "beslutsKod", "beslutsKodNamn",
          "beslutsTyp", "beslutsTypNamn", "beslutsdatum", "fromDatum", "giltighetstid", "tomDatum"})
      if (arende.contains(field)) leaf(svar, nullptr, field, str(arende, field));
  }
}

// ---- errors -------------------------------------------------------------------------------------
std::string default_error_message(Source source) {
  static constexpr std::array<const char*, 7> owners{"Arbetsförmedlingens",    "CSN:s",
                                                     "Försäkringskassans",     "Skatteverkets",
                                                     "Arbetslöshetskassornas", "Transportstyrelsens",
                                                     "Migrationsverkets"};
  return std::string(owners[static_cast<std::size_t>(source)]) +
         " bastjänst kunde inte besvara frågan på grund av ett tekniskt fel";
}

void write_error(xmlNode* parent, xmlNs* ssbt, const std::string& felkod, const std::string& felmeddelande) {
  xmlNode* error = element(parent, ssbt, "error");
  leaf(error, ssbt, "kalla", "BT");
  leaf(error, ssbt, "felkod", felkod);
  leaf(error, ssbt, "felmeddelande", felmeddelande);
}

void write_injected_error(xmlNode* parent, xmlNs* ssbt, Source source, const SourceFault& fault) {
  write_error(parent, ssbt, fault.code.empty() ? "BT-001" : fault.code,
              fault.message.empty() ? default_error_message(source) : fault.message);
}

const SourceFault* fault_for(const std::map<Source, SourceFault>& faults, Source source) {
  auto found = faults.find(source);
  return found != faults.end() ? &found->second : nullptr;
}

}  // namespace

std::string write_hamta_response(const Question& question, const PersonFacts& person,
                                 const std::map<Source, SourceFault>& faults) {
  Envelope envelope = new_envelope();
  xmlNode* response = element(envelope.body, nullptr, "hamtaBastjanstInformationResponse");
  Names ns{xmlNewNs(response, x(kSsbtNs), x("ssbt")), xmlNewNs(response, x(kAfNs), x("af")),
           xmlNewNs(response, x(kSoNs), x("so")), xmlNewNs(response, x(kTnsNs), x("tns")),
           xmlNewNs(response, x(kFordonNs), x("frdn"))};
  xmlSetNs(response, ns.ssbt);

  if (question.echo_question && question.generella != nullptr && question.specifika != nullptr) {
    xmlNode* fraga = element(response, ns.ssbt, "fraga");
    xmlAddChild(fraga, xmlDocCopyNode(question.generella, envelope.doc.get(), 1));
    xmlAddChild(fraga, xmlDocCopyNode(question.specifika, envelope.doc.get(), 1));
    xmlReconciliateNs(envelope.doc.get(), fraga);
  }
  if (question.fragetidpunkt) leaf(response, ns.ssbt, "frageTidpunkt", *question.fragetidpunkt);
  if (question.korrelationsid) leaf(response, ns.ssbt, "korrelationsid", *question.korrelationsid);
  xmlNode* svarsdata = element(response, ns.ssbt, "svarsdata");

  static const Json no_facts;  // null: the source knows nothing about the person
  for (Source source : question.sources) {
    xmlNode* source_element = element(svarsdata, ns.ssbt, std::string(name(source)).c_str());
    const SourceFault* fault = fault_for(faults, source);
    if (fault != nullptr && fault->mode == FaultMode::error) {
      write_injected_error(source_element, ns.ssbt, source, *fault);
      continue;
    }
    const std::string key(name(source));
    const Json& facts = person.contains(key) ? person[key] : no_facts;
    const SourceContext context{question, person, facts, question.source_periods.at(source), ns};
    if (source == Source::FK && longer_than_two_years(context.period)) {
      write_error(source_element, ns.ssbt, "LEFI-400", "Perioden är längre än två år");
      continue;
    }
    xmlNode* data = element(source_element, ns.ssbt, "data");
    switch (source) {
      case Source::AF:
        write_af(data, context);
        break;
      case Source::CSN:
        write_csn(data, context);
        break;
      case Source::FK: {
        std::string group;
        if (fault != nullptr && fault->mode == FaultMode::avvikelse)
          group = fault->code.empty() ? "FK:BOB" : fault->code;
        write_fk(data, context, group);
        break;
      }
      case Source::SKV:
        write_skv(data, context);
        break;
      case Source::SO:
        write_so(data, context);
        break;
      case Source::TNS:
        write_tns(data, context);
        break;
      case Source::MIV:
        write_miv(data, context);
        break;
    }
  }
  return serialise(envelope.doc.get());
}

std::string write_test_response(const std::map<Source, SourceFault>& faults) {
  Envelope envelope = new_envelope();
  xmlNode* response = element(envelope.body, nullptr, "testaBastjanstInformationResponse");
  xmlNs* ssbt = xmlNewNs(response, x(kSsbtNs), x("ssbt"));
  xmlSetNs(response, ssbt);
  for (Source source : kSources) {
    xmlNode* test = element(response, ssbt, std::string(name(source)).c_str());
    leaf(test, ssbt, "anropad", "true");
    const SourceFault* fault = fault_for(faults, source);
    if (fault != nullptr && fault->mode == FaultMode::error) write_injected_error(test, ssbt, source, *fault);
  }
  return serialise(envelope.doc.get());
}

std::string write_fault(Operation operation, std::string_view faultcode, const std::string& felkod,
                        const std::string& felmeddelande) {
  Envelope envelope = new_envelope();
  xmlNode* fault = element(envelope.body, envelope.body->ns, "Fault");
  // SOAP 1.1: faultcode, faultstring and detail are unqualified.
  leaf(fault, nullptr, "faultcode", std::string(faultcode));
  leaf(fault, nullptr, "faultstring", felmeddelande);
  xmlNode* detail = element(fault, nullptr, "detail");
  xmlNode* body =
      element(detail, nullptr,
              operation == Operation::testa ? "testaBastjanstInformationFault" : "hamtaBastjanstInformationFault");
  xmlNs* ssbt = xmlNewNs(body, x(kSsbtNs), x("ssbt"));
  xmlSetNs(body, ssbt);
  leaf(body, ssbt, "felkod", felkod);
  leaf(body, ssbt, "felmeddelande", felmeddelande);
  return serialise(envelope.doc.get());
}

}  // namespace knutpunkt::ssbtek_simulator
