#include "xml/loader_policy.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <mutex>
#include <string_view>

namespace knutpunkt::xml {
namespace {

thread_local bool local_files_allowed = false;

bool is_local(std::string_view url) {
  if (url.starts_with("file://")) return true;
  // Anything else with a scheme (http:, https:, ftp:, data: …) is remote or exotic.
  const auto colon = url.find(':');
  const auto slash = url.find('/');
  return colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon);
}

xmlParserInputPtr refusing_loader(const char* url, const char* id, xmlParserCtxtPtr context) {
  if (url != nullptr && local_files_allowed && is_local(url)) {
    // The no-net loader refuses network access a second time, should is_local be wrong.
    return xmlNoNetExternalEntityLoader(url, id, context);
  }
  // Returning null makes libxml2 report "failed to load external entity" on the context.
  return nullptr;
}

}  // namespace

void initialise() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    xmlSetExternalEntityLoader(refusing_loader);
  });
}

LocalFilesAllowed::LocalFilesAllowed() : previous_(local_files_allowed) {
  local_files_allowed = true;
}
LocalFilesAllowed::~LocalFilesAllowed() {
  local_files_allowed = previous_;
}

}  // namespace knutpunkt::xml
