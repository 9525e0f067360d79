// knutpunkt_audit_verify: checks the audit hash chain of a knutpunkt SQLite database offline
// (in the manner of X-Road's message-log verifier), so an auditor need not trust the gateway.
//
//   knutpunkt_audit_verify DATABASE [--expect-head SEQ:HASH]
//
// Prints a JSON report on stdout. Exit status: 0 intact, 1 a problem was found, 2 the check
// could not be made (usage, unreadable database).
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "audit/audit_verifier.h"
#include "store/sqlite/sqlite_store.h"

namespace {

int usage() {
  std::cerr << "usage: knutpunkt_audit_verify DATABASE [--expect-head SEQ:HASH]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 4) return usage();
  const std::filesystem::path database = argv[1];
  std::optional<knutpunkt::ChainHead> expected;
  if (argc == 4) {
    const std::string_view flag = argv[2], head = argv[3];
    const auto colon = head.find(':');
    if (flag != "--expect-head" || colon == std::string_view::npos) return usage();
    knutpunkt::ChainHead h;
    const auto [end, ec] = std::from_chars(head.data(), head.data() + colon, h.seq);
    if (ec != std::errc{} || end != head.data() + colon || h.seq < 1) return usage();
    h.hash = head.substr(colon + 1);
    expected = h;
  }
  // open_sqlite_store would create an empty database; a missing file is an error here.
  if (!std::filesystem::is_regular_file(database)) {
    std::cerr << "knutpunkt_audit_verify: no such database file\n";
    return 2;
  }
  auto store = knutpunkt::open_sqlite_store(database);
  if (!store) {
    std::cerr << "knutpunkt_audit_verify: " << store.error().code << ": " << store.error().message << "\n";
    return 2;
  }
  auto report = expected ? knutpunkt::verify_chain(**store, *expected) : knutpunkt::verify_chain(**store);
  if (!report) {
    std::cerr << "knutpunkt_audit_verify: " << report.error().code << ": " << report.error().message << "\n";
    return 2;
  }
  nlohmann::json out = {{"intact", report->intact()},
                        {"records", report->records},
                        {"head_seq", report->head_seq},
                        {"head_hash", report->head_hash}};
  if (report->first_problem) {
    out["first_problem"] = {{"seq", report->first_problem->seq},
                            {"problem", report->first_problem->problem},
                            {"detail", report->first_problem->detail}};
  }
  std::cout << out.dump(2) << "\n";
  return report->intact() ? 0 : 1;
}
