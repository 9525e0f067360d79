#include "reply_writer.h"

#include <array>
#include <cstdint>
#include <vector>

#include "csn_document.h"
#include "skv_document.h"
#include "wire_values.h"
#include "xml_tree.h"

namespace knutpunkt::ssbtek_simulator {

namespace {

constexpr const char* kAfNs = "http://api.arbetsformedlingen.se/arbetssokande/ersattningsstod/v2";
constexpr const char* kSoNs = "http://INT014.UBPService.Schemas";
constexpr const char* kTnsNs = "http://schema.transportstyrelsen.se/ssbtek/hamtauppgifterresponder/1";
constexpr const char* kFordonNs = "http://schema.transportstyrelsen.se/ssbtek/fordon/1";

// The prefixes each mode writes. Published: the ones our schemas and README use. Production: what
// a JAX-WS stack writes (S for SOAP, ns2, ns3, ... for the rest); a prefix means nothing, so a
// reader that depends on one breaks on the real service.
struct Prefixes {
  const char* soap;
  const char* ssbt;
  const char* af;
  const char* so;
  const char* tns;
  const char* frdn;
};
constexpr Prefixes kPublishedPrefixes{"soap", "ssbt", "af", "so", "tns", "frdn"};
constexpr Prefixes kProductionPrefixes{"S", "ns2", "ns3", "ns4", "ns5", "ns6"};

const Prefixes& prefixes(ReplyMode mode) {
  return mode == ReplyMode::published ? kPublishedPrefixes : kProductionPrefixes;
}

struct Envelope {
  Doc doc;
  xmlNode* body = nullptr;
  xmlNs* soap = nullptr;
};

// Production replies carry an (empty) SOAP Header before the Body, as the real service's stack
// sends one.
Envelope new_envelope(ReplyMode mode) {
  Envelope envelope{Doc{xmlNewDoc(x("1.0"))}};
  xmlNode* root = xmlNewDocNode(envelope.doc.get(), nullptr, x("Envelope"), nullptr);
  xmlDocSetRootElement(envelope.doc.get(), root);
  envelope.soap = xmlNewNs(root, x(kSoapNs), x(prefixes(mode).soap));
  xmlSetNs(root, envelope.soap);
  if (mode == ReplyMode::production) element(root, envelope.soap, "Header");
  envelope.body = element(root, envelope.soap, "Body");
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
  ReplyMode mode;

  std::string date(const std::string& iso) const { return xml_date(iso, mode); }
  // Production leaves out what the real sources leave out: the question echoed back.
  bool echoes_question() const { return mode == ReplyMode::published; }
  // Production appends one element a newer version of the source's schema has, as a source that
  // upgrades before SSBTEK's contract does will send.
  bool sends_newer_element() const { return mode == ReplyMode::production; }
};

// ---- AF: Arbetsförmedlingen (af:SvarMeddelande) -------------------------------------------------
void write_af_fraga(xmlNode* data, const SourceContext& c) {
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
}

void write_af(xmlNode* data, const SourceContext& c) {
  const Question& q = c.question;
  // Arbetsförmedlingen's production answers have neither the Fraga echo nor Svar/LagParagraf,
  // although the published schema requires both.
  if (c.echoes_question()) write_af_fraga(data, c);
  xmlNode* svar = element(data, c.ns.af, "Svar");
  leaf(svar, c.ns.af, "Schemaversion", "2.0");
  leaf(svar, c.ns.af, "Referensnummer", q.arendeidentitet);
  if (c.echoes_question()) leaf(svar, c.ns.af, "LagParagraf", q.lagtext);
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
  leaf(info, c.ns.af, "ArbetssokandeRegistrerad", c.date(str(c.facts, "registrerad")));
  leaf(info, c.ns.af, "ArbetssokandeOmfattning", str(c.facts, "omfattning"));
  if (!str(c.facts, "avaktualiserad").empty())
    leaf(info, c.ns.af, "ArbetssokandeAvaktualiserad", c.date(str(c.facts, "avaktualiserad")));
  xmlNode* rapport = element(info, c.ns.af, "AktivetetsRapportDatum");
  const Json& aktivitetsrapport = c.facts.contains("aktivitetsrapport") ? c.facts["aktivitetsrapport"] : Json::object();
  leaf(rapport, c.ns.af, "AktivitetsRapportMeddelande", str(aktivitetsrapport, "meddelande"));
  if (!str(aktivitetsrapport, "senaste").empty())
    leaf(rapport, c.ns.af, "SenasteAktivitetsRapportDatum", c.date(str(aktivitetsrapport, "senaste")));
  xmlNode* beslut_list = element(element(svar, c.ns.af, "BeslutInfo"), c.ns.af, "EkonomiskaBeslut");
  for (const Json& beslut : list(c.facts, "beslut")) {
    if (!c.period.overlaps(str(beslut, "from"), str(beslut, "tom"))) continue;
    xmlNode* b = element(beslut_list, c.ns.af, "Beslut");
    leaf(b, c.ns.af, "ErsattningTyp", str(beslut, "ersattningstyp"));
    leaf(b, c.ns.af, "Omfattning", str(beslut, "omfattning"));
    leaf(b, c.ns.af, "BeslutFrom", c.date(str(beslut, "from")));
    leaf(b, c.ns.af, "BeslutTom", c.date(str(beslut, "tom")));
  }
  if (!str(c.facts, "akassa").empty()) leaf(svar, c.ns.af, "Akassetillhorighet", str(c.facts, "akassa"));
  leaf(svar, c.ns.af, "StatusSokandeinformationKod", "1");
  leaf(svar, c.ns.af, "StatusSokandeinformationKodText", "Personen finns registrerad hos Arbetsförmedlingen");
}

// ---- CSN: base64 of a csn:CSNSvar document (csn_document.h) -------------------------------------
void write_csn(xmlNode* data, const SourceContext& c) {
  const std::string document = csn_document(c.question.personidentitet, skyddad(c.person), c.facts, c.period, c.mode);
  leaf(data, c.ns.ssbt, "svar", base64(document, c.mode));
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
    if (!c.period.contains(str(u, "datum"))) continue;
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
  leaf(data, c.ns.ssbt, "lefiJsonSvar", base64(lefi_answer(c, avvikelse_group).dump(), c.mode));
}

// ---- SKV: svar is the text of Skatteverket's own document (skv_document.h) -----------------------
// SKV's schema leaves local elements unqualified: <svar> has no namespace. Published: the document
// escaped as text, without an XML declaration. Production: as the real service sends it, a CDATA
// section holding the document with its declaration.
void write_skv(xmlNode* data, const SourceContext& c) {
  const Doc document = skv_document(c.question.personidentitet, c.person, c.facts);
  if (c.mode == ReplyMode::published) {
    leaf(data, nullptr, "svar", serialise_root(document.get()));
    return;
  }
  xmlNode* svar = element(data, nullptr, "svar");
  const std::string text = serialise(document.get());
  xmlAddChild(svar, xmlNewCDataBlock(data->doc, x(text.c_str()), static_cast<int>(text.size())));
}

// ---- SO: the unemployment insurance funds (so:GetUnemploymentBenefitPaymentResponseType) -------
void write_so_echo(xmlNode* data, const SourceContext& c) {
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
}

void write_so(xmlNode* data, const SourceContext& c) {
  xmlNs* so = c.ns.so;
  // The funds' production answers start at IdentificationNumber: the echoed question fields the
  // published schema requires before it are not sent.
  if (c.echoes_question()) write_so_echo(data, c);
  leaf(data, so, "IdentificationNumber", c.question.personidentitet);
  xmlNode* lista = element(data, so, "ArbetsloshetsersattningLista");
  const Json& kassor = list(c.facts, "kassor");
  for (const Json& kassa : kassor) {
    xmlNode* a = element(lista, so, "Arbetsloshetsersattning");
    leaf(a, so, "SvarandeOrganisation", str(kassa, "namn"));
    leaf(a, so, "StatusSvarandeOrganisation", str(kassa, "status"));
    for (const Json& u : list(kassa, "utbetalningar")) {
      if (!c.period.contains(str(u, "datum"))) continue;
      xmlNode* e = element(a, so, "Utbetalningar");
      leaf(e, so, "Utbetalningsdatum", c.date(str(u, "datum")));
      leaf(e, so, "NettoEfterSkatt", kronor(str(u, "nettoEfterSkatt"), c.mode));
      leaf(e, so, "NettoEfterAvdrag", kronor(str(u, "nettoEfterAvdrag"), c.mode));
      leaf(e, so, "Ersattningsdagar", str(u, "dagar"));
      leaf(e, so, "AvserFrom", c.date(str(u, "from")));
      leaf(e, so, "AvserTom", c.date(str(u, "tom")));
    }
    for (const Json& avstangning : list(kassa, "avstangningar")) {
      if (!c.period.overlaps(str(avstangning, "from"), str(avstangning, "tom"))) continue;
      xmlNode* e = element(a, so, "Avstangningar");
      leaf(e, so, "AvstangdFrom", c.date(str(avstangning, "from")));
      leaf(e, so, "AvstangdTom", c.date(str(avstangning, "tom")));
    }
    if (kassa.contains("ansokt")) {
      xmlNode* e = element(a, so, "AnsoktOmErsattning");
      leaf(e, so, "BeslutOmRattTillErsattning", c.date(str(kassa["ansokt"], "beslutOmRatt")));
      leaf(e, so, "AnsokanOmUtbetalningInlamnad", kassa["ansokt"].value("inlamnad", false) ? "true" : "false");
    }
  }
  if (c.sends_newer_element()) leaf(data, so, "AntalSvarandeOrganisationer", std::to_string(kassor.size()));
}

// ---- TNS: Transportstyrelsen (tns:HamtaUppgifterResponseType) -----------------------------------
void write_tns(xmlNode* data, const SourceContext& c) {
  leaf(data, c.ns.tns, "resultat", "OK");
  xmlNode* innehav = element(data, c.ns.tns, "fordonsinnehav");
  const Json& fordon_list = list(c.facts, "fordon");
  for (const Json& fordon : fordon_list) {
    xmlNode* f = element(innehav, c.ns.frdn, "fordon");
    for (const char* field : {"regnr", "fabrikat", "fordonsar", "fordonsslag", "handelsbeteckning"})
      leaf(f, c.ns.frdn, field, str(fordon, field));
  }
  // In the responder's own namespace, which the published schema's ##other wildcard does not admit.
  if (c.sends_newer_element()) leaf(data, c.ns.tns, "antalFordon", std::to_string(fordon_list.size()));
}

// ---- MIV: Migrationsverket (miv:findByPersonnummerResponse; local elements unqualified) --------
void write_miv(xmlNode* data, const SourceContext& c) {
  const Json& arenden = list(c.facts, "arenden");
  if (!c.facts.is_null()) {
    xmlNode* response = element(data, nullptr, "response");
    if (c.question.korrelationsid) leaf(response, nullptr, "korrelationsid", *c.question.korrelationsid);
    leaf(response, nullptr, "correlationid", c.question.arendeidentitet);
    if (!skyddad(c.person)) {
      leaf(response, nullptr, "efternamn", str(c.person, "efternamn"));
      leaf(response, nullptr, "fornamn", str(c.person, "fornamn"));
    }
    leaf(response, nullptr, "hemland", str(c.facts, "hemland"));
    leaf(response, nullptr, "inresedatum", c.date(str(c.facts, "inresedatum")));
    leaf(response, nullptr, "personnummer", c.question.personidentitet);
    xmlNode* collection = element(response, nullptr, "svarCollection");
    for (const Json& arende : arenden) {
      xmlNode* svar = element(collection, nullptr, "svar");
      for (const char* field : {"anledning", "anledningNamn", "ansokningsdatum", "arendeTyp", "arendeTypNamn",
                                "beslutsKod", "beslutsKodNamn", "beslutsTyp", "beslutsTypNamn", "beslutsdatum",
                                "fromDatum", "giltighetstid", "tomDatum"}) {
        if (!arende.contains(field)) continue;
        const std::string_view name{field};
        const bool is_date = name.ends_with("datum") || name.ends_with("Datum");
        leaf(svar, nullptr, field, is_date ? c.date(str(arende, field)) : str(arende, field));
      }
    }
  }
  if (c.sends_newer_element()) leaf(data, nullptr, "antalArenden", std::to_string(arenden.size()));
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

void write_error(xmlNode* parent, xmlNs* ssbt, const std::string& felkod, const std::string& felmeddelande,
                 const char* kalla = "BT") {
  xmlNode* error = element(parent, ssbt, "error");
  leaf(error, ssbt, "kalla", kalla);
  leaf(error, ssbt, "felkod", felkod);
  leaf(error, ssbt, "felmeddelande", felmeddelande);
}

void write_injected_error(xmlNode* parent, xmlNs* ssbt, Source source, const SourceFault& fault) {
  write_error(parent, ssbt, fault.code.empty() ? "BT-001" : fault.code,
              fault.message.empty() ? default_error_message(source) : fault.message, fault.from_ssbtek ? "SSBT" : "BT");
}

const SourceFault* fault_for(const std::map<Source, SourceFault>& faults, Source source) {
  auto found = faults.find(source);
  return found != faults.end() ? &found->second : nullptr;
}

}  // namespace

std::string write_hamta_response(const Question& question, const PersonFacts& person,
                                 const std::map<Source, SourceFault>& faults, ReplyMode mode) {
  Envelope envelope = new_envelope(mode);
  xmlNode* response = element(envelope.body, nullptr, "hamtaBastjanstInformationResponse");
  const Prefixes& p = prefixes(mode);
  Names ns{xmlNewNs(response, x(kSsbtNs), x(p.ssbt)), xmlNewNs(response, x(kAfNs), x(p.af)),
           xmlNewNs(response, x(kSoNs), x(p.so)), xmlNewNs(response, x(kTnsNs), x(p.tns)),
           xmlNewNs(response, x(kFordonNs), x(p.frdn))};
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
    const SourceContext context{question, person, facts, question.source_periods.at(source), ns, mode};
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

std::string write_test_response(const std::map<Source, SourceFault>& faults, ReplyMode mode) {
  Envelope envelope = new_envelope(mode);
  xmlNode* response = element(envelope.body, nullptr, "testaBastjanstInformationResponse");
  xmlNs* ssbt = xmlNewNs(response, x(kSsbtNs), x(prefixes(mode).ssbt));
  xmlSetNs(response, ssbt);
  for (Source source : kSources) {
    xmlNode* test = element(response, ssbt, std::string(name(source)).c_str());
    leaf(test, ssbt, "anropad", "true");
    const SourceFault* fault = fault_for(faults, source);
    if (fault != nullptr && fault->mode == FaultMode::error) write_injected_error(test, ssbt, source, *fault);
  }
  return serialise(envelope.doc.get());
}

std::string write_fault(Operation operation, FaultCode faultcode, const std::string& felkod,
                        const std::string& felmeddelande, ReplyMode mode) {
  Envelope envelope = new_envelope(mode);
  xmlNode* fault = element(envelope.body, envelope.soap, "Fault");
  // SOAP 1.1: faultcode, faultstring and detail are unqualified; faultcode is a QName, so its
  // prefix is whatever this envelope declared for SOAP.
  const std::string code = std::string(prefixes(mode).soap) + (faultcode == FaultCode::client ? ":Client" : ":Server");
  leaf(fault, nullptr, "faultcode", code);
  leaf(fault, nullptr, "faultstring", felmeddelande);
  xmlNode* detail = element(fault, nullptr, "detail");
  xmlNode* body =
      element(detail, nullptr,
              operation == Operation::testa ? "testaBastjanstInformationFault" : "hamtaBastjanstInformationFault");
  xmlNs* ssbt = xmlNewNs(body, x(kSsbtNs), x(prefixes(mode).ssbt));
  xmlSetNs(body, ssbt);
  leaf(body, ssbt, "felkod", felkod);
  leaf(body, ssbt, "felmeddelande", felmeddelande);
  return serialise(envelope.doc.get());
}

}  // namespace knutpunkt::ssbtek_simulator
