#pragma once
// Other forms of one SSBTEK reply that carry the same facts: what a different SOAP stack, a newer
// minor version of a source's schema or a proxy on the way may make of it. Every edit works on the
// parsed tree (libxml2), so it changes only what it names; the text form is touched only where
// that is the point (the serialiser's encoding and layout).
#include <libxml/tree.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace knutpunkt::ssbtek::mutation {

// One change to a parsed reply. Returns false when the reply holds nothing it applies to (no SOAP
// Header to remove, no base64 payload to wrap), so the variant is not counted as run.
using EditFunction = bool (*)(xmlDocPtr doc, std::mt19937& rng);

// Edits of one family do not combine (two ways of indenting, two ways of naming namespaces);
// combined variants take at most one edit per family and apply them in family order, so that,
// e.g., inserted elements are re-indented and get the renamed prefixes too.
enum class Family { header, unknown_elements, removal, payload, text_form, namespaces, whitespace };

struct Edit {
  std::string_view name;
  Family family;
  EditFunction apply;
};

enum class Encoding { utf8, iso8859_1, us_ascii, utf16 };

struct Variant {
  std::string name;
  std::vector<Edit> edits;
  Encoding encoding = Encoding::utf8;
  bool pretty_printed = false;  // libxml2's indenting serialiser
};

struct RenderedReply {
  std::string body;
  std::string content_type;
};

// The reply in the variant's form, or nullopt when none of the variant's edits applies to it.
// `seed` feeds every random choice, so a fixture, a variant name and a seed reproduce a failure.
std::optional<RenderedReply> render(std::string_view reply, const Variant& variant, std::uint32_t seed);

// Every edit on its own, each serialiser form, a few fixed combinations and `random_combinations`
// combinations drawn with `seed`.
std::vector<Variant> all_variants(std::uint32_t seed, int random_combinations);

// The reply with an element unknown to the contract, in the namespace of the source's payload,
// as the first child of `source`'s data; nullopt when that source has no data.
std::optional<RenderedReply> with_unknown_element_in_data(std::string_view reply, std::string_view source);

}  // namespace knutpunkt::ssbtek::mutation
