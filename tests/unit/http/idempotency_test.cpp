#include "http/idempotency.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "core/digest.h"
#include "store/sqlite/sqlite_store.h"

using namespace knutpunkt;
using namespace knutpunkt::http;

namespace {

struct TempStore {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  TempStore() {
    std::string pattern = (std::filesystem::temp_directory_path() / "knutpunkt-idem-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    auto opened = open_sqlite_store(dir / "k.db");
    REQUIRE(opened.has_value());
    store = std::move(*opened);
  }
  ~TempStore() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  void put(const std::string& client, const std::string& key, const std::string& fingerprint, int status,
           const std::string& body) {
    REQUIRE(store
                ->commit({}, {store_write::PutIdempotency{
                                 IdempotencyRecord{client, key, fingerprint, status, body, "2026-11-24T10:00:00Z"}}})
                .has_value());
  }
};

// Every read fails: the store is down.
class UnavailableStore final : public knutpunkt::ReferralStore {
  static StoreError down() { return {"sqlite_error", "down"}; }

 public:
  std::expected<std::optional<ReferralRecord>, StoreError> referral(const std::string&) override {
    return std::unexpected(down());
  }
  std::expected<std::optional<IdempotencyRecord>, StoreError> idempotency(const std::string&,
                                                                          const std::string&) override {
    return std::unexpected(down());
  }
  std::expected<bool, StoreError> inbound_seen(const std::string&, const std::string&) override {
    return std::unexpected(down());
  }
  std::expected<std::vector<ReferralRecord>, StoreError> referrals_on_consent(const std::string&) override {
    return std::unexpected(down());
  }
  std::expected<std::vector<ReferralRecord>, StoreError> referrals_of_case(const std::string&,
                                                                           const std::string&) override {
    return std::unexpected(down());
  }
  std::expected<std::vector<ReferralRecord>, StoreError> referrals_with_status(const std::string&, const std::string&,
                                                                               int) override {
    return std::unexpected(down());
  }
};

}  // namespace

TEST_CASE("an idempotency key is 1 to 255 visible ASCII characters") {
  CHECK(valid_idempotency_key("a"));
  CHECK(valid_idempotency_key("8e0f6a2c-4d5b-4c1e-9f3a-0b1c2d3e4f50"));
  CHECK(valid_idempotency_key("!~"));
  CHECK(valid_idempotency_key(std::string(255, 'k')));
  CHECK_FALSE(valid_idempotency_key(""));
  CHECK_FALSE(valid_idempotency_key(std::string(256, 'k')));
  CHECK_FALSE(valid_idempotency_key("has space"));
  CHECK_FALSE(valid_idempotency_key("tab\there"));
  CHECK_FALSE(valid_idempotency_key("del\x7f"));
  CHECK_FALSE(valid_idempotency_key("nyckel-\xc3\xa5"));  // å, not ASCII
}

TEST_CASE("the request fingerprint is the SHA-256 of method, path and body, and each of them counts") {
  const std::string body = R"({"case_id":"EB-1"})";
  const auto fp = request_fingerprint("POST", "/v1/referrals", body);
  CHECK(fp == sha256_hex("POST /v1/referrals\n" + body));
  CHECK(fp.size() == 64);
  CHECK(request_fingerprint("POST", "/v1/referrals", body) == fp);
  CHECK(request_fingerprint("PUT", "/v1/referrals", body) != fp);
  CHECK(request_fingerprint("POST", "/v1/referral", body) != fp);
  CHECK(request_fingerprint("POST", "/v1/referrals", body + " ") != fp);
}

TEST_CASE("a new key proceeds and is reserved until released; a second use meanwhile is in progress") {
  TempStore t;
  IdempotencyKeys keys(*t.store);
  CHECK(keys.begin("client-a", "k1", "fp").check == IdempotencyCheck::proceed);
  CHECK(keys.begin("client-a", "k1", "fp").check == IdempotencyCheck::in_progress);
  CHECK(keys.begin("client-a", "k1", "other-fp").check == IdempotencyCheck::in_progress);
  // Keys are per client.
  CHECK(keys.begin("client-b", "k1", "fp").check == IdempotencyCheck::proceed);
  keys.release("client-a", "k1");
  // Released without anything stored (the request failed): the key is free again.
  CHECK(keys.begin("client-a", "k1", "fp").check == IdempotencyCheck::proceed);
}

TEST_CASE("a stored key with the same request replays the stored response; another request is a mismatch") {
  TempStore t;
  IdempotencyKeys keys(*t.store);
  REQUIRE(keys.begin("client-a", "k1", "fp-1").check == IdempotencyCheck::proceed);
  t.put("client-a", "k1", "fp-1", 202, R"({"referral_id":"R-1"})");
  keys.release("client-a", "k1");

  const auto replay = keys.begin("client-a", "k1", "fp-1");
  CHECK(replay.check == IdempotencyCheck::replay);
  CHECK(replay.record.http_status == 202);
  CHECK(replay.record.response_body == R"({"referral_id":"R-1"})");
  // A replay reserves nothing: it can be asked again at once.
  CHECK(keys.begin("client-a", "k1", "fp-1").check == IdempotencyCheck::replay);

  CHECK(keys.begin("client-a", "k1", "fp-2").check == IdempotencyCheck::mismatch);
  CHECK(keys.begin("client-b", "k1", "fp-2").check == IdempotencyCheck::proceed);
}

TEST_CASE("a store that cannot be read makes the key check unavailable, and reserves nothing") {
  UnavailableStore store;
  IdempotencyKeys keys(store);
  CHECK(keys.begin("client-a", "k1", "fp").check == IdempotencyCheck::unavailable);
  CHECK(keys.begin("client-a", "k1", "fp").check == IdempotencyCheck::unavailable);
}
