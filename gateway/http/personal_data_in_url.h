#pragma once
// A personnummer never travels in a request line. TLS terminators, proxies and load balancers log
// the method and target of every request, in logs the municipality does not control, so a
// personnummer there is disclosed to whoever reads them (OSL 26 kap. 1 §). Person identifiers go in
// request bodies; the pipeline refuses any target that still holds one, whichever route it is for.
//
// Found: a run of 10 or 12 digits, or 6 or 8 digits, '-' or '+' and 4 digits (percent-encoding
// undone first), that stands alone (no letter or digit next to it, not a group of a UUID) and
// that policy::parse_person_id takes as a personnummer or samordningsnummer (a real date and a
// valid check digit). Case ids, UUIDs, sequence numbers and dates are not.
#include <string>
#include <string_view>
#include <vector>

namespace knutpunkt::http {

struct PersonIdsInUrl {
  // Where each was found: "path", or the name of the query parameter that held it (decoded).
  std::vector<std::string> places;
  // The target, decoded, with every digit of each number found replaced by 'X': what a record of
  // the refusal may say of the request.
  std::string masked_target;
  bool found() const { return !places.empty(); }
};

PersonIdsInUrl find_person_ids_in_url(std::string_view target);

}  // namespace knutpunkt::http
