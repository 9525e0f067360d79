#pragma once
// An SSBTEK question as the simulator understands it: the SOAP 1.1 request parsed without
// network or DTD, its Body child validated against the request part of ssbtek-v10.xsd, and the
// fields the replies depend on pulled out.
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "source.h"

namespace knutpunkt::ssbtek_simulator {

// The SOAP envelope's namespace and the SSBTEK service's, which questions and replies share.
inline constexpr char kSoapNs[] = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr char kSsbtNs[] = "http://schema.forsakringskassan.se/integration/ssbt/10";

// Dates as YYYY-MM-DD compare as text in calendar order.
struct Period {
  std::string from;  // YYYY-MM-DD
  std::string to;

  bool contains(const std::string& date) const { return from <= date && date <= to; }
  // Whether [start, end] meets the period; an empty end is open.
  bool overlaps(const std::string& start, const std::string& end) const {
    return start <= to && (end.empty() || end >= from);
  }
};

struct Ingivare {
  std::string organisationsnummer;
  std::string namn;
  std::string handlaggare;
};

struct Personuppgiftsbitrade {
  std::string organisationsnummer;
  std::string namn;
};

enum class Operation { hamta, testa };

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocFree>;

struct Question {
  Operation operation = Operation::hamta;
  std::optional<std::string> fragetidpunkt;
  std::optional<std::string> korrelationsid;
  bool echo_question = false;  // fraganSkallInkluderasISvaret
  Ingivare ingivare;
  std::string personidentitet;
  std::string arendeidentitet;
  Period period;
  std::vector<Personuppgiftsbitrade> bitraden;
  std::string syfte;
  std::string lagtext;
  // Sources with inkludera="true", in contract order, each with its effective period (its own
  // tidsperiod where the contract allows one, else the general one).
  std::vector<Source> sources;
  std::map<Source, Period> source_periods;

  // The parsed request, kept so the reply can echo the question when asked to.
  std::shared_ptr<xmlDoc> document;
  xmlNode* generella = nullptr;
  xmlNode* specifika = nullptr;
};

struct QuestionError {
  std::string felkod;                      // SSBT-001 .. SSBT-004
  std::string message;                     // Swedish, names what is wrong, carries no values from the request
  Operation operation = Operation::hamta;  // which fault element answers it
};

// Compiled once at start-up; validation contexts are made per request, so one instance serves
// all worker threads.
class QuestionSchema {
 public:
  static std::expected<QuestionSchema, std::string> load(const std::string& path);
  const xmlSchema* get() const { return schema_.get(); }

 private:
  struct Free {
    void operator()(xmlSchema* s) const { xmlSchemaFree(s); }
  };
  std::shared_ptr<xmlSchema> schema_;
};

std::expected<Question, QuestionError> read_question(const std::string& body, const QuestionSchema& schema);

}  // namespace knutpunkt::ssbtek_simulator
