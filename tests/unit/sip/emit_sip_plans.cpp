// Prints every stage of a full SIP lifecycle as one JSON document per line, for
// check_sip_schema.py to validate against schemas/sip/sip-plan.v1.schema.json.
#include <exception>
#include <iostream>

#include "sip_fixtures.h"

int main() {
  try {
    for (const auto& plan : knutpunkt::sip::fixtures::lifecycle())
      std::cout << knutpunkt::sip::to_json(plan).dump() << '\n';
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
