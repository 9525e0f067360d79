#include "xml/xpath.h"

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <string_view>

#include "xml/error_sink.h"
#include "xml/loader_policy.h"

namespace knutpunkt::xml {
namespace {

struct FreeXPathContext {
  void operator()(xmlXPathContextPtr ctxt) const { xmlXPathFreeContext(ctxt); }
};
struct FreeXPathObject {
  void operator()(xmlXPathObjectPtr object) const { xmlXPathFreeObject(object); }
};
using Context = std::unique_ptr<xmlXPathContext, FreeXPathContext>;
using Object = std::unique_ptr<xmlXPathObject, FreeXPathObject>;

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

// One step of a path of child elements: `prefix:local`, or `local` for an element in no namespace.
struct ChildStep {
  std::string prefix;
  std::string local;
};

// A path of child element steps, from the context node or, when absolute, from the document.
struct ChildPath {
  bool absolute = false;
  std::vector<ChildStep> steps;
};

// The steps of an expression that is only child element steps ("a/p:b/c", "/p:a/p:b"), as most
// of a mapping's paths are; nullopt for anything else (axes, predicates, functions, wildcards,
// "..", "//", whitespace, names outside ASCII), which libxml2 evaluates.
std::optional<ChildPath> child_path(std::string_view expression) {
  ChildPath path;
  path.absolute = expression.starts_with('/');
  if (path.absolute) expression.remove_prefix(1);
  std::vector<ChildStep>& steps = path.steps;
  const auto is_ncname = [](std::string_view name) {
    if (name.empty() || !is_name_start(name.front())) return false;
    return std::all_of(name.begin(), name.end(), is_name_char);
  };
  for (std::size_t start = 0;;) {
    const std::size_t slash = expression.find('/', start);
    const std::string_view step = expression.substr(start, slash == std::string_view::npos ? slash : slash - start);
    const std::size_t colon = step.find(':');
    ChildStep parsed;
    if (colon == std::string_view::npos) {
      parsed.local = std::string(step);
    } else {
      parsed.prefix = std::string(step.substr(0, colon));
      parsed.local = std::string(step.substr(colon + 1));
      if (!is_ncname(parsed.prefix)) return std::nullopt;
    }
    if (!is_ncname(parsed.local)) return std::nullopt;
    steps.push_back(std::move(parsed));
    if (slash == std::string_view::npos) return path;
    start = slash + 1;
  }
}

// The namespace a step names: "" for no namespace, nullopt for a prefix `namespaces` does not
// bind or binds to "", and for "xml", which libxml2 resolves itself whatever is bound (left to
// libxml2, which reports or resolves them). Otherwise the last binding of a prefix counts, as in
// libxml2's table.
std::optional<std::string_view> step_namespace(const ChildStep& step, const Namespaces& namespaces) {
  if (step.prefix.empty()) return std::string_view();
  if (step.prefix == "xml") return std::nullopt;
  for (auto it = namespaces.rbegin(); it != namespaces.rend(); ++it) {
    if (it->first != step.prefix) continue;
    if (it->second.empty()) return std::nullopt;
    return std::string_view(it->second);
  }
  return std::nullopt;
}

bool matches(xmlNodePtr node, const ChildStep& step, std::string_view uri) {
  if (node->type != XML_ELEMENT_NODE || step.local != reinterpret_cast<const char*>(node->name)) return false;
  if (uri.empty()) return node->ns == nullptr;
  return node->ns != nullptr && node->ns->href != nullptr && uri == reinterpret_cast<const char*>(node->ns->href);
}

// Depth first through the children, so the nodes come in document order; a node has one
// parent, so none comes twice. With `first_only`, stops at the first.
void collect(xmlNodePtr parent, const std::vector<ChildStep>& steps, const std::vector<std::string_view>& uris,
             std::size_t depth, bool first_only, std::vector<xmlNodePtr>& out) {
  for (xmlNodePtr child = parent->children; child != nullptr; child = child->next) {
    if (!matches(child, steps[depth], uris[depth])) continue;
    if (depth + 1 == steps.size()) {
      out.push_back(child);
    } else {
      collect(child, steps, uris, depth + 1, first_only, out);
    }
    if (first_only && !out.empty()) return;
  }
}

}  // namespace

struct XPath::Compiled {
  std::string expression;
  std::optional<ChildPath> path;  // when the expression is child element steps only
  std::mutex mutex;
  std::vector<xmlXPathCompExprPtr> idle;

  // The nodes of a child-steps expression, walked without libxml2's evaluator (which builds a
  // node set, sorts it and checks its limits for what is a walk down a few children); nullopt
  // when this expression or context is not one the walk gives the same answer for.
  std::optional<std::vector<xmlNodePtr>> walk(xmlNodePtr context, const Namespaces& namespaces, bool first_only) const {
    if (!path || context == nullptr || context->doc == nullptr) return std::nullopt;
    xmlNodePtr start = path->absolute ? reinterpret_cast<xmlNodePtr>(context->doc) : context;
    if (start->type != XML_ELEMENT_NODE && start->type != XML_DOCUMENT_NODE) return std::nullopt;
    std::vector<std::string_view> uris;
    uris.reserve(path->steps.size());
    for (const ChildStep& step : path->steps) {
      auto uri = step_namespace(step, namespaces);
      if (!uri) return std::nullopt;
      uris.push_back(*uri);
    }
    std::vector<xmlNodePtr> found;
    collect(start, path->steps, uris, 0, first_only, found);
    return found;
  }

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
  compiled->path = child_path(expression);
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
  if (auto walked = compiled_->walk(context, namespaces, /*first_only=*/false)) return std::move(*walked);
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
  if (auto walked = compiled_->walk(context, namespaces, /*first_only=*/true)) {
    if (walked->empty()) return std::optional<std::string>{};
    // The string value of the first node in document order, as xmlXPathCastToString gives it.
    xmlChar* content = xmlNodeGetContent(walked->front());
    std::string text_value(content == nullptr ? "" : reinterpret_cast<const char*>(content));
    xmlFree(content);
    return std::optional<std::string>{std::move(text_value)};
  }
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
