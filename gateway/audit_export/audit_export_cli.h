#pragma once
#include <map>
#include <string>

// The command-line entry points (gateway/main.cpp dispatches to them). Options are the
// "--name value" pairs after the subcommand, keyed by name without the dashes. Each returns the
// process exit code: 0 = done / intact, 1 = a problem found (printed), 2 = usage or I/O error.
// Output is an English summary; never record content, never key material.
namespace knutpunkt::audit_export {

// knutpunkt audit export --db FILE --format jsonl|csv --out FILE --key PRIVATE.pem
//     [--from-seq N] [--to-seq M] | [--since RFC3339] [--until RFC3339]
//     [--exported-by ID (default: the OS user)] [--instance ID (default: the host name)]
int run_audit_export(const std::map<std::string, std::string>& options);

// knutpunkt audit verify --export FILE [--manifest FILE (default FILE.manifest.json)] --public-key PUBLIC.pem
int run_audit_verify_export(const std::map<std::string, std::string>& options);

// knutpunkt audit keygen --private FILE --public FILE
int run_audit_keygen(const std::map<std::string, std::string>& options);

}  // namespace knutpunkt::audit_export
