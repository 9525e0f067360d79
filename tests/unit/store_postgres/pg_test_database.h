#pragma once
// A fresh database in the test cluster, the store opened on it, and plain SQL beside the store
// (to look at what it stored, or to do what the store never would).
#include <libpq-fe.h>

#include <catch2/catch.hpp>
#include <memory>
#include <stdexcept>
#include <string>

#include "postgres_cluster.h"
#include "store/postgres/postgres_store.h"

namespace knutpunkt::test_postgres {

inline std::string fresh_database() {
  return PostgresCluster::shared().create_database();
}

inline std::unique_ptr<Store> open_store(const std::string& connection, int pool_size = 4) {
  auto store = open_postgres_store(PostgresSettings{connection, std::nullopt, pool_size});
  INFO((store ? std::string() : store.error().code + ": " + store.error().message));
  REQUIRE(store.has_value());
  return std::move(*store);
}

// Chains a record after the tip the store read under its lock (hashes are placeholders: these
// tests count what was stored; AuditLog's real sealing is tested where the chain is the point).
inline void seal_after(AuditRecord& r, const std::optional<AuditChainTip>& tip) {
  r.seq = tip ? tip->seq + 1 : 1;
  r.prev_hash = tip ? tip->hash : "genesis";
  r.hash = "h" + std::to_string(r.seq);
}

// One statement over its own connection; the first column of the first row, "" when none.
// Throws with the server's message when the statement fails.
inline std::string sql(const std::string& connection, const std::string& statement) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(connection.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), statement.c_str()), &PQclear);
  const auto status = PQresultStatus(r.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
  if (status != PGRES_TUPLES_OK || PQntuples(r.get()) == 0) return "";
  return PQgetvalue(r.get(), 0, 0);
}

}  // namespace knutpunkt::test_postgres
