#pragma once
// How one fact from persons.json is written on the wire in each reply mode. Both forms carry the
// same value: a date with an offset is the same calendar date, 1250.00 is 1250.
#include <cstdint>
#include <string>

#include "reply_mode.h"

namespace knutpunkt::ssbtek_simulator {

// An xs:date from "YYYY-MM-DD". Production adds the offset Stockholm had at the start of that day
// ("2016-11-18+01:00", "2026-08-01+02:00"), as a Java stack writing a local date does.
std::string xml_date(const std::string& iso_date, ReplyMode mode);

// "+01:00" or "+02:00": Swedish time at 00:00 on that day, by the EU rule (summer time from the last
// Sunday in March to the last Sunday in October, both switches during the night).
std::string stockholm_offset(const std::string& iso_date);

// An amount in kronor as xs:decimal text. Published: the shortest exact form ("1250", "9871.2");
// production: always two decimals ("1250.00", "9871.20").
std::string kronor(const std::string& amount, ReplyMode mode);

// "8625.50" -> 862550 öre; amounts are kept in öre so sums and differences are exact.
std::int64_t ore(const std::string& amount);

// xs:base64Binary. Published: one line; production: lines of 76 characters (MIME style), which
// base64Binary allows and some senders' encoders produce.
std::string base64(const std::string& bytes, ReplyMode mode);

}  // namespace knutpunkt::ssbtek_simulator
