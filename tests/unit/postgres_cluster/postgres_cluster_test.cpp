#include "postgres_cluster.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

using knutpunkt::test_postgres::PostgresCluster;
using knutpunkt::test_postgres::server_binaries;

namespace {

// The first column of the first row of `sql`, or nullopt when the server cannot be reached.
std::optional<std::string> query_one(const std::string& connection, const std::string& sql) {
  PGconn* conn = PQconnectdb((connection + " connect_timeout=5").c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    PQfinish(conn);
    return std::nullopt;
  }
  PGresult* result = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(result);
  INFO(PQerrorMessage(conn));
  CHECK((status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK));
  std::string value;
  if (status == PGRES_TUPLES_OK && PQntuples(result) > 0) value = PQgetvalue(result, 0, 0);
  PQclear(result);
  PQfinish(conn);
  return value;
}

// Runs the probe, which starts a cluster of its own and ends as `how` says; returns the data
// folder it printed.
std::filesystem::path run_probe(const std::string& how) {
  const std::string command = std::string(KNUTPUNKT_POSTGRES_CLUSTER_PROBE) + " " + how + " 2>/dev/null";
  FILE* out = popen(command.c_str(), "r");
  REQUIRE(out != nullptr);
  char line[4096] = {};
  const bool printed = fgets(line, sizeof(line), out) != nullptr;
  pclose(out);
  REQUIRE(printed);
  std::string path(line);
  while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
  return path;
}

bool gone_within(const std::filesystem::path& folder, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (!std::filesystem::exists(folder)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return !std::filesystem::exists(folder);
}

}  // namespace

TEST_CASE("each database the cluster makes is new and empty, and reachable by its connection string") {
  auto& cluster = PostgresCluster::shared();
  const auto first = cluster.create_database();
  const auto second = cluster.create_database();
  CHECK(first != second);
  REQUIRE(query_one(first, "CREATE TABLE marker (n integer)").has_value());
  CHECK(query_one(first, "SELECT count(*) FROM pg_tables WHERE tablename = 'marker'") == "1");
  CHECK(query_one(second, "SELECT count(*) FROM pg_tables WHERE tablename = 'marker'") == "0");
}

TEST_CASE("the cluster listens on loopback only, with fsync on and its socket in its own folder") {
  auto& cluster = PostgresCluster::shared();
  const auto db = cluster.create_database();
  CHECK(cluster.port() != 5432);
  CHECK(query_one(db, "SHOW listen_addresses") == "127.0.0.1");
  CHECK(query_one(db, "SHOW fsync") == "on");
  CHECK(query_one(db, "SHOW port") == std::to_string(cluster.port()));
  CHECK(query_one(db, "SHOW unix_socket_directories") == cluster.data_directory().parent_path().string());
  CHECK(query_one(db, "SELECT current_setting('server_version_num')::int >= 150000") == "t");
}

TEST_CASE("data committed before a restart is there after it, on the same port") {
  auto& cluster = PostgresCluster::shared();
  const auto db = cluster.create_database();
  const int port = cluster.port();
  REQUIRE(query_one(db, "CREATE TABLE kept (n integer); INSERT INTO kept VALUES (42)").has_value());
  cluster.restart();
  CHECK(cluster.port() == port);
  CHECK(query_one(db, "SELECT n FROM kept") == "42");
}

TEST_CASE("between stop and start the server refuses connections, and after start it has the data") {
  auto& cluster = PostgresCluster::shared();
  const auto db = cluster.create_database();
  REQUIRE(query_one(db, "CREATE TABLE kept (n integer); INSERT INTO kept VALUES (7)").has_value());
  cluster.stop();
  CHECK_FALSE(cluster.running());
  CHECK_FALSE(query_one(db, "SELECT 1").has_value());
  cluster.start();
  CHECK(cluster.running());
  CHECK(query_one(db, "SELECT n FROM kept") == "7");
}

TEST_CASE("a process's cluster is stopped and its folder removed when the process returns from main") {
  const auto data = run_probe("exit");
  CHECK(data.filename() == "data");
  CHECK(gone_within(data.parent_path(), std::chrono::seconds(30)));
}

TEST_CASE("a process's cluster is stopped and its folder removed when the process dies without cleanup") {
  const auto data = run_probe("abort");
  CHECK(data.filename() == "data");
  CHECK(gone_within(data.parent_path(), std::chrono::seconds(30)));
}

TEST_CASE("a folder without PostgreSQL's server binaries is an error that says what is missing, not a skip") {
  const char* before = std::getenv("KNUTPUNKT_POSTGRES_BIN");
  const std::string kept = before != nullptr ? before : "";
  const auto empty = std::filesystem::temp_directory_path();
  REQUIRE(setenv("KNUTPUNKT_POSTGRES_BIN", empty.c_str(), 1) == 0);
  CHECK_THROWS_WITH(server_binaries(), Catch::Contains("holds no initdb, pg_ctl and postgres"));
  if (before != nullptr) {
    setenv("KNUTPUNKT_POSTGRES_BIN", kept.c_str(), 1);
  } else {
    unsetenv("KNUTPUNKT_POSTGRES_BIN");
  }
  CHECK(std::filesystem::exists(server_binaries() / "initdb"));
}
