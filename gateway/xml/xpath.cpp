#include "xml/xpath.h"

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <cctype>
#include <mutex>

#include "xml/error_sink.h"
#include "xml/loader_policy.h"

namespace knutpunkt::xml {
namespace {

struct FreeContext {
  void operator()(xmlXPathContextPtr ctxt) const { xmlXPathFreeContext(ctxt); }
};
struct FreeObject {
  void operator()(xmlXPathObjectPtr object) const { xmlXPathFreeObject(object); }
};
using Context = std::unique_ptr<xmlXPathContext, FreeContext>;
using Object = std::unique_ptr<xmlXPathObject, FreeObject>;

Context new_context(xmlDocPtr doc, ErrorSink& errors) {
  Context ctxt(xmlXPathNewContext(doc));
  if (ctxt) {
    // With an error callback on the context, xmlXPathErr never reaches the global handler.
    ctxt->error = ErrorSink::collect;
    ctxt->userData = &errors;
  }
  return ctxt;
}

xmlXPathCompExprPtr compile_with(const std::string& expression, ErrorSink& errors) {
  Context ctxt = new_context(nullptr, errors);
  if (!ctxt) return nullptr;
  return xmlXPathCtxtCompile(ctxt.get(), reinterpret_cast<const xmlChar*>(expression.c_str()));
}

// One evaluation context per thread, reused: xmlXPathNewContext builds a fresh table of every
// core function and an object cache each time, which cost more than most evaluations do. The
// namespaces are registered again only when a caller brings a different set.
class ThreadContext {
 public:
  // nullptr when this thread's context is in use already (an evaluation inside an evaluation):
  // the caller then makes a context of its own.
  static ThreadContext* acquire() {
    thread_local ThreadContext instance;
    if (instance.in_use_ || !instance.ctxt_) return nullptr;
    instance.in_use_ = true;
    return &instance;
  }

  xmlXPathContextPtr prepare(xmlNodePtr context, const Namespaces& namespaces, ErrorSink& errors) {
    xmlXPathContextPtr ctxt = ctxt_.get();
    if (namespaces != registered_) {
      xmlXPathRegisteredNsCleanup(ctxt);
      for (const auto& [prefix, uri] : namespaces) {
        xmlXPathRegisterNs(ctxt, reinterpret_cast<const xmlChar*>(prefix.c_str()),
                           reinterpret_cast<const xmlChar*>(uri.c_str()));
      }
      registered_ = namespaces;
    }
    ctxt->doc = context->doc;
    ctxt->node = context;
    // As a fresh context has them: what an earlier evaluation left (one that stopped on an
    // error) must not count against this one's recursion and operation limits.
    ctxt->contextSize = -1;
    ctxt->proximityPosition = -1;
    ctxt->depth = 0;
    ctxt->opCount = 0;
    ctxt->error = ErrorSink::collect;
    ctxt->userData = &errors;
    return ctxt;
  }

  // Drops every pointer into the caller's document and error sink, which may go before the
  // next evaluation on this thread.
  void release() {
    xmlXPathContextPtr ctxt = ctxt_.get();
    ctxt->doc = nullptr;
    ctxt->node = nullptr;
    ctxt->userData = nullptr;
    xmlResetError(&ctxt->lastError);
    in_use_ = false;
  }

 private:
  ThreadContext() : ctxt_(xmlXPathNewContext(nullptr)) {}
  Context ctxt_;
  Namespaces registered_;
  bool in_use_ = false;
};

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
}

}  // namespace

struct XPath::Compiled {
  std::string expression;
  std::mutex mutex;
  std::vector<xmlXPathCompExprPtr> idle;

  ~Compiled() {
    for (auto* comp : idle) xmlXPathFreeCompExpr(comp);
  }

  // One compiled copy per concurrent evaluation; copies are kept for reuse.
  class Lease {
   public:
    explicit Lease(Compiled& owner) : owner_(owner) {
      {
        std::lock_guard lock(owner_.mutex);
        if (!owner_.idle.empty()) {
          comp_ = owner_.idle.back();
          owner_.idle.pop_back();
          return;
        }
      }
      ErrorSink ignored;  // compile() already proved the expression compiles
      comp_ = compile_with(owner_.expression, ignored);
    }
    ~Lease() {
      if (comp_ == nullptr) return;
      std::lock_guard lock(owner_.mutex);
      owner_.idle.push_back(comp_);
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    xmlXPathCompExprPtr get() const { return comp_; }

   private:
    Compiled& owner_;
    xmlXPathCompExprPtr comp_ = nullptr;
  };

  std::expected<Object, XmlError> evaluate(xmlNodePtr context, const Namespaces& namespaces) {
    if (context == nullptr || context->doc == nullptr) {
      return std::unexpected(XmlError{"xpath_invalid", expression + ": no context node"});
    }
    ErrorSink errors;
    Context own;
    xmlXPathContextPtr ctxt = nullptr;
    ThreadContext* shared = ThreadContext::acquire();
    if (shared != nullptr) {
      ctxt = shared->prepare(context, namespaces, errors);
    } else {
      own = new_context(context->doc, errors);
      if (!own) return std::unexpected(XmlError{"xpath_invalid", "out of memory"});
      own->node = context;
      for (const auto& [prefix, uri] : namespaces) {
        xmlXPathRegisterNs(own.get(), reinterpret_cast<const xmlChar*>(prefix.c_str()),
                           reinterpret_cast<const xmlChar*>(uri.c_str()));
      }
      ctxt = own.get();
    }
    Object result;
    bool leased = false;
    {
      Lease lease(*this);
      leased = lease.get() != nullptr;
      if (leased) result.reset(xmlXPathCompiledEval(lease.get(), ctxt));
    }
    if (shared != nullptr) shared->release();
    if (!leased) return std::unexpected(XmlError{"xpath_invalid", expression + ": out of memory"});
    if (!result || !errors.empty()) {
      return std::unexpected(XmlError{"xpath_invalid", expression + ": " + errors.message("evaluation failed")});
    }
    return result;
  }
};

XPath::XPath(std::unique_ptr<Compiled> compiled) : compiled_(std::move(compiled)) {}
XPath::XPath(XPath&&) noexcept = default;
XPath& XPath::operator=(XPath&&) noexcept = default;
XPath::~XPath() = default;

std::expected<XPath, XmlError> XPath::compile(const std::string& expression) {
  initialise();
  ErrorSink errors;
  xmlXPathCompExprPtr comp = compile_with(expression, errors);
  if (comp == nullptr) {
    return std::unexpected(XmlError{"xpath_invalid", expression + ": " + errors.message("does not compile")});
  }
  auto compiled = std::make_unique<Compiled>();
  compiled->expression = expression;
  compiled->idle.push_back(comp);
  return XPath(std::move(compiled));
}

const std::string& XPath::expression() const {
  return compiled_->expression;
}

std::expected<void, XmlError> XPath::check_prefixes(const Namespaces& namespaces) const {
  const std::string& e = compiled_->expression;
  for (std::size_t i = 0; i < e.size();) {
    const char c = e[i];
    if (c == '\'' || c == '"') {  // string literals can hold anything
      const auto end = e.find(c, i + 1);
      i = end == std::string::npos ? e.size() : end + 1;
      continue;
    }
    if (!is_name_start(c) || (i > 0 && (is_name_char(e[i - 1]) || e[i - 1] == '$'))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < e.size() && is_name_char(e[end])) ++end;
    // "prefix:name" but not an axis ("child::") nor the start of a variable.
    if (end + 1 < e.size() && e[end] == ':' && e[end + 1] != ':') {
      const std::string prefix = e.substr(i, end - i);
      bool bound = false;
      for (const auto& ns : namespaces) bound = bound || ns.first == prefix;
      if (!bound)
        return std::unexpected(XmlError{"xpath_invalid", e + ": namespace prefix '" + prefix + "' is not declared"});
    }
    i = end;
  }
  return {};
}

std::expected<std::vector<xmlNodePtr>, XmlError> XPath::nodes(xmlNodePtr context, const Namespaces& namespaces) const {
  auto result = compiled_->evaluate(context, namespaces);
  if (!result) return std::unexpected(result.error());
  const Object& object = *result;
  if (object->type != XPATH_NODESET) {
    return std::unexpected(XmlError{"xpath_invalid", expression() + ": does not select nodes"});
  }
  std::vector<xmlNodePtr> selected;
  if (object->nodesetval != nullptr) {
    selected.reserve(static_cast<std::size_t>(object->nodesetval->nodeNr));
    for (int i = 0; i < object->nodesetval->nodeNr; ++i) selected.push_back(object->nodesetval->nodeTab[i]);
  }
  return selected;
}

std::expected<std::optional<std::string>, XmlError> XPath::string(xmlNodePtr context,
                                                                  const Namespaces& namespaces) const {
  auto result = compiled_->evaluate(context, namespaces);
  if (!result) return std::unexpected(result.error());
  xmlXPathObjectPtr object = result->get();
  if (object->type == XPATH_NODESET && (object->nodesetval == nullptr || object->nodesetval->nodeNr == 0)) {
    return std::optional<std::string>{};
  }
  xmlChar* value = xmlXPathCastToString(object);
  if (value == nullptr) return std::unexpected(XmlError{"xpath_invalid", expression() + ": out of memory"});
  std::string text_value(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return std::optional<std::string>{std::move(text_value)};
}

std::expected<bool, XmlError> XPath::boolean(xmlNodePtr context, const Namespaces& namespaces) const {
  auto result = compiled_->evaluate(context, namespaces);
  if (!result) return std::unexpected(result.error());
  return xmlXPathCastToBoolean(result->get()) != 0;
}

}  // namespace knutpunkt::xml
