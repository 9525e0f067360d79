// The CLI functions end to end, in-process: keygen, export, verify, with their exit codes.
#include "audit_export/audit_export_cli.h"

#include <catch2/catch.hpp>
#include <iostream>
#include <sstream>

#include "export_test_support.h"

using namespace export_test;
using Options = std::map<std::string, std::string>;

namespace {

// Captures std::cout and std::cerr for the duration of one call.
struct Captured {
  int exit_code = -1;
  std::string out;
  std::string err;
};

template <typename F>
Captured run(F&& f) {
  std::ostringstream out, err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  Captured c;
  c.exit_code = f();
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  c.out = out.str();
  c.err = err.str();
  return c;
}

}  // namespace

TEST_CASE("keygen, export and verify from the command line: 0 when intact, 1 when tampered, 2 on usage errors") {
  TempDir dir;
  const auto db = dir.path / "k.db";
  {
    auto store = open_store(db);
    write_chain(*store, 8);
  }
  const std::string priv = (dir.path / "gw.key").string();
  const std::string pub = (dir.path / "gw.pub").string();
  auto keygen = run([&] { return ae::run_audit_keygen({{"private", priv}, {"public", pub}}); });
  REQUIRE(keygen.exit_code == 0);
  const std::string key_id = verifying_key({priv, pub}).key_id();
  CHECK(keygen.out.find(key_id) != std::string::npos);
  CHECK(keygen.out.find("PRIVATE KEY") == std::string::npos);

  const std::string out = (dir.path / "granskning.csv").string();
  auto exported = run([&] {
    return ae::run_audit_export({{"db", db.string()},
                                 {"format", "csv"},
                                 {"out", out},
                                 {"key", priv},
                                 {"from-seq", "2"},
                                 {"to-seq", "7"},
                                 {"exported-by", "dso-1"}});
  });
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.out.find("exported 6 records, seq 2..7") != std::string::npos);
  CHECK(exported.out.find(key_id) != std::string::npos);
  // The summary names no record content.
  CHECK(exported.out.find("C-") == std::string::npos);
  CHECK(exported.out.find("1912") == std::string::npos);

  auto verified = run([&] { return ae::run_audit_verify_export({{"export", out}, {"public-key", pub}}); });
  INFO(verified.err);
  CHECK(verified.exit_code == 0);
  CHECK(verified.out.find("export verified: 6 records, seq 2..7") != std::string::npos);
  CHECK(verified.out.find("by dso-1") != std::string::npos);

  auto lines = split_lines(read_file(out));
  lines.erase(lines.begin() + 3);
  write_file(out, join(lines));
  auto tampered = run([&] { return ae::run_audit_verify_export({{"export", out}, {"public-key", pub}}); });
  CHECK(tampered.exit_code == 1);
  CHECK(tampered.out.find("missing_records") != std::string::npos);
  CHECK(tampered.out.find("C-") == std::string::npos);

  CHECK(run([&] { return ae::run_audit_verify_export({{"export", out}}); }).exit_code == 2);
  CHECK(run([&] {
          return ae::run_audit_verify_export({{"export", out}, {"public-key", pub}, {"manifest", out + ".nope"}});
        }).exit_code == 2);
  CHECK(run([&] {
          return ae::run_audit_export({{"db", db.string()}, {"format", "xml"}, {"out", out + "2"}, {"key", priv}});
        }).exit_code == 2);
  auto typo = run([&] {
    return ae::run_audit_export(
        {{"db", db.string()}, {"format", "csv"}, {"out", out + "2"}, {"key", priv}, {"to_seq", "3"}});
  });
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("unknown option --to_seq") != std::string::npos);
  CHECK(run([&] {
          return ae::run_audit_export(
              {{"db", (dir.path / "none.db").string()}, {"format", "csv"}, {"out", out + "3"}, {"key", priv}});
        }).exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(dir.path / "none.db"));
  auto empty = run([&] {
    return ae::run_audit_export({{"db", db.string()},
                                 {"format", "jsonl"},
                                 {"out", out + "4"},
                                 {"key", priv},
                                 {"since", "2099-01-01T00:00:00Z"}});
  });
  CHECK(empty.exit_code == 2);
  CHECK(empty.err.find("empty_range") != std::string::npos);
  CHECK(run([&] { return ae::run_audit_keygen({{"private", priv}, {"public", pub + "2"}}); }).exit_code == 2);
}

TEST_CASE("export from the command line defaults to the whole log and a JSONL export verifies with --manifest given") {
  TempDir dir;
  const auto db = dir.path / "k.db";
  {
    auto store = open_store(db);
    write_chain(*store, 3);
  }
  auto keys = make_keys(dir.path);
  const std::string out = (dir.path / "all.jsonl").string();
  auto exported = run([&] {
    return ae::run_audit_export(
        {{"db", db.string()}, {"format", "jsonl"}, {"out", out}, {"key", keys.private_pem.string()}});
  });
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.out.find("exported 3 records, seq 1..3") != std::string::npos);
  const std::string moved = (dir.path / "m.json").string();
  std::filesystem::rename(out + ".manifest.json", moved);
  auto verified = run([&] {
    return ae::run_audit_verify_export(
        {{"export", out}, {"manifest", moved}, {"public-key", keys.public_pem.string()}});
  });
  CHECK(verified.exit_code == 0);
}
