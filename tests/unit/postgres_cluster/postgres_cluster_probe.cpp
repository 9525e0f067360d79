// Starts the process's test cluster, prints its data folder, and ends as argv[1] says: "exit"
// returns from main (destructors run), "abort" dies without them, as a crashed test would.
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "postgres_cluster.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto& cluster = knutpunkt::test_postgres::PostgresCluster::shared();
  std::cout << cluster.data_directory().string() << std::endl;
  if (std::strcmp(argv[1], "abort") == 0) std::abort();
  return 0;
}
