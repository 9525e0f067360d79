#pragma once
#include <string>

namespace knutpunkt {

// Time-ordered (version 7) UUID: the first 48 bits are the Unix time in milliseconds, the other
// 74 free bits come from OpenSSL's CSPRNG.
// Random enough: ids must not be guessable, since a lookup id is enough to find a record in the
// audit log, and 74 random bits are as far out of reach of guessing as version 4's 122. What an
// id now tells its holder is when it was made, to the millisecond, and every party given an id
// also gets the time of what it names.
// Time-ordered because ids are the keys of the outbox, the events and the referrals: random keys
// put each insert of a group commit on its own B-tree page, so every record written cost several
// pages in the write-ahead log and its fsync; ids made one after another land on the same pages.
std::string new_uuid();

}  // namespace knutpunkt
