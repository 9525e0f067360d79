#pragma once
// What the tests that open a database an older build left behind share (SQLite's set-back tests
// here, PostgreSQL's in store_postgres/).
#include <string>

#include "store/delivery_records.h"

// SQL that sets a SQLite database back to before migration 13 (a referral's status, version and
// consent, its change history, a case's closure reason). The index of migration 16 goes first: it
// names the status column, and SQLite drops no column an index names. Ends with a space, so more
// SQL may follow.
inline constexpr const char* kUndoReferralVersions =
    "DROP INDEX referral_status; "
    "DROP TABLE referral_change; DROP INDEX referral_consent; DROP INDEX referral_case; "
    "ALTER TABLE referral DROP COLUMN status; ALTER TABLE referral DROP COLUMN version; "
    "ALTER TABLE referral DROP COLUMN consent_id; ALTER TABLE referral DROP COLUMN updated_at; "
    "ALTER TABLE case_file DROP COLUMN closure_reason; ";

// A referral as these tests store it: only what the store needs.
inline knutpunkt::ReferralRecord setback_referral(const std::string& id, const std::string& status) {
  knutpunkt::ReferralRecord r;
  r.referral_id = id;
  r.client_id = "client-a";
  r.case_id = "EB-1";
  r.destination = "jobbtorg-sodra";
  r.person_id = "191212121212";
  r.created_at = "2026-01-05T09:00:00.000Z";
  r.status = status;
  r.referral = {{"referral_id", id}};
  return r;
}
