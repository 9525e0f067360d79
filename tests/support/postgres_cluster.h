#pragma once
// A throwaway PostgreSQL cluster for one test process: initdb into a temporary folder, the server
// listening on 127.0.0.1 only, on a free port, with its unix socket in that folder and fsync on
// (so a test of durability across a restart measures what production gets). The cluster is
// started on first use, shared by every test of the process, and stopped and removed when the
// process ends, whether its tests passed or not. Never a system service, never port 5432.
//
// PostgreSQL refuses to run as root; when the test process is root (as in CI), initdb, pg_ctl and
// the server run as the unprivileged user `nobody`. Missing server binaries are an error with a
// message saying what to install, never a silent skip.
#include <filesystem>
#include <memory>
#include <string>

namespace knutpunkt::test_postgres {

class PostgresCluster {
 public:
  // The process's cluster, started on the first call. Throws std::runtime_error (with the
  // server's log) if it cannot be started.
  static PostgresCluster& shared();

  // A new, empty database owned by the cluster's superuser; returns its libpq connection string
  // (TCP on 127.0.0.1, no password). Each call gives a different database.
  std::string create_database();

  // pg_ctl restart on the same port and data folder: connections drop, data stays.
  void restart();
  // pg_ctl stop (fast shutdown) and start again; between them the server refuses connections.
  void stop();
  void start();
  bool running() const;

  int port() const;
  const std::filesystem::path& data_directory() const;

  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

 private:
  PostgresCluster();
  struct State;
  std::unique_ptr<State> state_;
};

// The folder holding initdb, pg_ctl and postgres (the newest /usr/lib/postgresql/*/bin, or
// $KNUTPUNKT_POSTGRES_BIN). Throws std::runtime_error naming what to install when there is none.
std::filesystem::path server_binaries();

}  // namespace knutpunkt::test_postgres
