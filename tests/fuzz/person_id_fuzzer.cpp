// Personnummer and samordningsnummer as clients and partners write them, on dates that move the
// century rules: a 10-digit form read on a leap day, at the turn of a century, and today-ish.
// Besides not crashing, a normalised id must be 12 digits and read back as itself, and no id with
// a control character (NUL included) is accepted.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "policy/identifier.h"
#include "policy/person_id.h"

namespace {

using namespace std::chrono;
using knutpunkt::policy::parse_person_id;

void check(std::string_view text, year_month_day today) {
  auto id = parse_person_id(text, today);
  if (!id) return;
  // A NUL or any other control character is never part of an accepted id (not even as separator).
  if (knutpunkt::policy::has_control_character(text)) {
    std::fprintf(stderr, "a person id with a control character was accepted\n");
    std::abort();
  }
  const bool twelve_digits =
      id->digits.size() == 12 && id->digits.find_first_not_of("0123456789") == std::string::npos;
  auto again = twelve_digits ? parse_person_id(id->digits, today) : id;
  if (!twelve_digits || !again || again->digits != id->digits || again->kind != id->kind) {
    std::fprintf(stderr, "a normalised person id does not read back as itself\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (year_month_day today : {year{2026} / May / 14, year{2024} / February / 29, year{2000} / January / 1}) {
    check(text, today);
  }
  return 0;
}
