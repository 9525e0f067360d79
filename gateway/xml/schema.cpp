#include "xml/schema.h"

#include <atomic>
#include <deque>
#include <functional>

#include "xml/error_sink.h"
#include "xml/loader_policy.h"

namespace knutpunkt::xml {
namespace {

struct FreeSchemaParserContext {
  void operator()(xmlSchemaParserCtxtPtr ctxt) const { xmlSchemaFreeParserCtxt(ctxt); }
};
struct FreeSchemaValidContext {
  void operator()(xmlSchemaValidCtxtPtr ctxt) const { xmlSchemaFreeValidCtxt(ctxt); }
};

using ValidContext = std::unique_ptr<xmlSchemaValidCtxt, FreeSchemaValidContext>;

// Validation contexts kept per thread and schema and reused: a new context allocates its
// dictionary and its element and attribute tables, which cost as much as validating a reply's
// section. libxml2 clears a context's state at the end of every validation. A schema is known by
// its serial number, never by its address, which a schema loaded later may reuse.
class ThreadValidContexts {
  struct Entry {
    std::uint64_t serial;
    ValidContext ctxt;
    bool in_use;
  };

 public:
  // A context for `schema` that this thread alone uses until the Lease goes; a context of its
  // own when this thread's is in use already (a validation inside a validation).
  class Lease {
   public:
    Lease(std::uint64_t serial, xmlSchemaPtr schema) {
      ThreadValidContexts& cache = instance();
      for (Entry& entry : cache.entries_) {
        if (entry.serial == serial && !entry.in_use) {
          entry.in_use = true;
          entry_ = &entry;
          return;
        }
      }
      ValidContext fresh(xmlSchemaNewValidCtxt(schema));
      if (!fresh || cache.entries_.size() >= kMaxEntries) {
        own_ = std::move(fresh);
        return;
      }
      cache.entries_.push_back(Entry{serial, std::move(fresh), true});
      entry_ = &cache.entries_.back();
    }
    ~Lease() {
      if (entry_ == nullptr) return;
      // No pointer to the caller's sink outlives the validation it collected for.
      xmlSchemaSetValidStructuredErrors(entry_->ctxt.get(), nullptr, nullptr);
      entry_->in_use = false;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    xmlSchemaValidCtxtPtr get() const { return entry_ != nullptr ? entry_->ctxt.get() : own_.get(); }

   private:
    Entry* entry_ = nullptr;
    ValidContext own_;
  };

 private:
  // Bounds what schemas this thread no longer sees can hold on to.
  static constexpr std::size_t kMaxEntries = 64;
  static ThreadValidContexts& instance() {
    thread_local ThreadValidContexts contexts;
    return contexts;
  }
  // A deque: entries never move while a Lease points at one.
  std::deque<Entry> entries_;
};

std::atomic<std::uint64_t> next_serial{1};

struct FindingSink {
  std::vector<SchemaFinding> findings;
  std::size_t max = 0;
};

std::string finding_kind(const std::string& message) {
  if (message.find("This element is not expected") != std::string::npos) return "unexpected_element";
  if (message.find("Missing child element") != std::string::npos) return "missing_element";
  if (message.find("is required but missing") != std::string::npos) return "missing_attribute";
  if (message.find("attribute is not allowed") != std::string::npos) return "unexpected_attribute";
  return "invalid_value";
}

// What a rejected value's message says, without the value: libxml2 quotes the partner's value in
// several forms ("'<value>' is not a valid value ...", "[facet 'pattern'] The value '<value>' is
// not accepted ...", "... has more fractional digits ...") and may cut a long one short, so the
// detail is rebuilt from the parts that come before the value and are the schema's: the element
// (and attribute) name and the facet.
std::string value_detail(const std::string& message) {
  std::string detail;
  if (message.starts_with("Element '")) {
    const std::size_t name_end = message.find("': ");
    if (name_end != std::string::npos) detail = message.substr(0, name_end + 1) + ": ";
  }
  detail += "the value does not match the schema's type";
  if (const std::size_t facet = message.find("[facet '"); facet != std::string::npos) {
    const std::size_t end = message.find('\'', facet + 8);
    if (end != std::string::npos && end - facet - 8 <= 32)
      detail += " (facet " + message.substr(facet + 8, end - facet - 8) + ")";
  }
  return detail;
}

// Messages about elements and attributes name only what the schema and the document's structure
// hold; a long list of expected elements is cut, since its start says what is needed.
std::string structure_detail(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (message.size() > 400) {
    std::size_t end = 400;
    while (end > 0 && (static_cast<unsigned char>(message[end]) & 0xC0) == 0x80) --end;
    message.resize(end);
    message += "...";
  }
  return message;
}

void collect_finding(void* user_data, xmlErrorPtr error) {
  auto* sink = static_cast<FindingSink*>(user_data);
  if (sink == nullptr || error == nullptr || error->level < XML_ERR_ERROR) return;
  if (sink->findings.size() >= sink->max) return;
  const std::string message = error->message != nullptr ? error->message : "unknown schema error";
  const std::string kind = finding_kind(message);
  sink->findings.push_back(SchemaFinding{kind, static_cast<xmlNodePtr>(error->node),
                                         kind == "invalid_value" ? value_detail(message) : structure_detail(message)});
}

}  // namespace

std::expected<Schema, XmlError> Schema::load(const std::filesystem::path& xsd) {
  initialise();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(xsd, ec)) {
    return std::unexpected(XmlError{"schema_load", xsd.string() + ": no such file"});
  }
  // Our own schema files are trusted local input; their imports may be read from disk, not the network.
  LocalFilesAllowed local_files;
  ErrorSink errors;
  std::unique_ptr<xmlSchemaParserCtxt, FreeSchemaParserContext> ctxt(xmlSchemaNewParserCtxt(xsd.c_str()));
  if (!ctxt) return std::unexpected(XmlError{"schema_load", xsd.string() + ": out of memory"});
  xmlSchemaSetParserStructuredErrors(ctxt.get(), ErrorSink::collect, &errors);
  xmlSchemaPtr schema = xmlSchemaParse(ctxt.get());
  if (schema == nullptr) {
    return std::unexpected(XmlError{"schema_load", xsd.string() + ": " + errors.message("schema did not compile")});
  }
  return Schema(schema, next_serial.fetch_add(1));
}

std::expected<void, XmlError> Schema::validate(const Document& document) const {
  if (document.get() == nullptr) return std::unexpected(XmlError{"schema_invalid", "empty document"});
  ErrorSink errors;
  ThreadValidContexts::Lease ctxt(serial_, schema_.get());
  if (!ctxt.get()) return std::unexpected(XmlError{"schema_invalid", "out of memory"});
  xmlSchemaSetValidStructuredErrors(ctxt.get(), ErrorSink::collect, &errors);
  const int rc = xmlSchemaValidateDoc(ctxt.get(), document.get());
  if (rc != 0) return std::unexpected(XmlError{"schema_invalid", errors.message("document is not valid")});
  return {};
}

std::expected<void, XmlError> Schema::validate(xmlNodePtr element) const {
  if (element == nullptr || element->type != XML_ELEMENT_NODE) {
    return std::unexpected(XmlError{"schema_invalid", "not an element"});
  }
  ErrorSink errors;
  ThreadValidContexts::Lease ctxt(serial_, schema_.get());
  if (!ctxt.get()) return std::unexpected(XmlError{"schema_invalid", "out of memory"});
  xmlSchemaSetValidStructuredErrors(ctxt.get(), ErrorSink::collect, &errors);
  const int rc = xmlSchemaValidateOneElement(ctxt.get(), element);
  if (rc != 0) return std::unexpected(XmlError{"schema_invalid", errors.message("element is not valid")});
  return {};
}

std::vector<SchemaFinding> Schema::findings(const Document& document, std::size_t max_findings) const {
  if (document.get() == nullptr) return {};
  return findings_in(document.root(), max_findings,
                     [&](xmlSchemaValidCtxtPtr ctxt) { return xmlSchemaValidateDoc(ctxt, document.get()); });
}

std::vector<SchemaFinding> Schema::findings(xmlNodePtr element, std::size_t max_findings) const {
  if (element == nullptr || element->type != XML_ELEMENT_NODE) return {};
  return findings_in(element, max_findings,
                     [&](xmlSchemaValidCtxtPtr ctxt) { return xmlSchemaValidateOneElement(ctxt, element); });
}

std::vector<SchemaFinding> Schema::findings_in(xmlNodePtr top, std::size_t max_findings,
                                               const std::function<int(xmlSchemaValidCtxtPtr)>& validate) const {
  FindingSink sink;
  sink.max = max_findings;
  ThreadValidContexts::Lease ctxt(serial_, schema_.get());
  if (!ctxt.get()) return {SchemaFinding{"invalid_value", nullptr, "out of memory while validating"}};
  xmlSchemaSetValidStructuredErrors(ctxt.get(), collect_finding, &sink);
  if (validate(ctxt.get()) != 0 && sink.findings.empty()) {
    sink.findings.push_back(SchemaFinding{"invalid_value", top, "not valid"});
  }
  return std::move(sink.findings);
}

}  // namespace knutpunkt::xml
