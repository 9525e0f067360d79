#pragma once
#include <array>
#include <cstdint>
#include <expected>
#include <memory>
#include <string_view>

#include "audit/canonical_json.h"
#include "store/audit_store.h"

struct evp_md_ctx_st;

namespace knutpunkt {

// record_hash (audit/audit_chain.h) of a record as the store holds it, with the body's stored
// text hashed as it is instead of being parsed and serialised again.
//
// Why that is sound. Every record is written by AuditLog::append, which hashes the canonical
// JSON of the body, and the store keeps exactly that text: its encoding (nlohmann::json's dump
// with strict UTF-8, no indentation, keys sorted) is the one canonical_json produces, and the
// copy to PostgreSQL writes the same encoding again. So for every record the application
// wrote, the stored text IS the canonical text, and hashing it gives the very hash record_hash
// gives. What an auditor relies on still holds, and more strictly:
//  - any edit of a stored body changes the bytes hashed, so the hash no longer matches (short of
//    a SHA-256 collision) and the record is named "changed", as before;
//  - a body rewritten into other text with the same JSON meaning (spaces, another key order,
//    \u escapes) is named "changed" too, where re-serialising would have hidden it: the stored
//    bytes are no longer the bytes the record vouched for, which only an edit of the database
//    can cause;
//  - kind and recorded_at are still hashed in their canonical JSON encoding, and seq and
//    prev_hash as before, so renumbering and relinking are found as before.
// The one record this accepts that re-serialising would not is one whose hash a forger computed
// over a body that is not canonical; a forger who can compute SHA-256 can write canonical text
// just as well, which is the limit audit_verifier.h states (only a remembered head catches it).
//
// Holds one OpenSSL digest context, reused for every record: no allocation per record in the
// usual case (kind and recorded_at plain ASCII). One hasher per thread.
class StoredRecordHasher {
 public:
  using Hex = std::array<char, 64>;

  StoredRecordHasher();
  StoredRecordHasher(const StoredRecordHasher&) = delete;
  StoredRecordHasher& operator=(const StoredRecordHasher&) = delete;

  // The hash of `r` numbered `seq` (its own seq, or another when looking for a renumbering);
  // an error when kind or recorded_at has no canonical form.
  std::expected<Hex, CanonicalJsonError> hash(const StoredAuditRecord& r, std::int64_t seq);

  // Whether `r`'s content matches its stored hash.
  bool content_sound(const StoredAuditRecord& r) {
    const auto h = hash(r, r.seq);
    return h && std::string_view(h->data(), h->size()) == r.hash;
  }

 private:
  void update(std::string_view bytes);
  // canonical_json of a string, hashed: plain ASCII goes straight in, anything else through
  // canonical_json itself so escaping and UTF-8 checks are the very same.
  std::expected<void, CanonicalJsonError> update_json_string(std::string_view text);

  struct ContextFree {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, ContextFree> ctx_;
};

}  // namespace knutpunkt
