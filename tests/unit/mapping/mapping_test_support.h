#pragma once
// How the mapping tests load a mapping they wrote and parse the XML they feed it, one way for all
// of them: a load or parse that fails stops the test with the error, not with a later mismatch.
#include <catch2/catch.hpp>
#include <string>

#include "mapping/mapping.h"
#include "temp_dir.h"
#include "xml/document.h"

namespace mapping_test {

using knutpunkt::test_support::TempDir;

// The mapping `text`, written as <name>.json in `dir`, loaded.
inline knutpunkt::mapping::Mapping load(const TempDir& dir, const std::string& name, const std::string& text) {
  auto mapping = knutpunkt::mapping::Mapping::load(dir.write(name + ".json", text), dir.path);
  if (!mapping) FAIL(mapping.error().where + ": " + mapping.error().message);
  return std::move(*mapping);
}

inline knutpunkt::xml::Document parse(const std::string& xml) {
  auto doc = knutpunkt::xml::Document::parse(xml);
  if (!doc) FAIL(doc.error().message);
  return std::move(*doc);
}

}  // namespace mapping_test
