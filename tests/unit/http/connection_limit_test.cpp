// The connections served at once: the configured limit, capped to what the descriptor limit
// leaves room for.
#include <catch2/catch.hpp>

#include "http/server.h"

using namespace knutpunkt::http;

TEST_CASE("the default connection limit fits the common descriptor limit of 1,024") {
  CHECK(effective_connection_limit(ServerOptions{}.max_connections, 1024) == 512);
}

TEST_CASE("the connection limit leaves a quarter of the descriptors, at least 32, for the gateway's own use") {
  CHECK(effective_connection_limit(512, 128) == 96);
  CHECK(effective_connection_limit(512, 64) == 32);
  CHECK(effective_connection_limit(512, 4096) == 512);
  CHECK(effective_connection_limit(5000, 4096) == 3072);
  CHECK(effective_connection_limit(10, 128) == 10);
  CHECK(effective_connection_limit(512, 20) == 1);
  CHECK(effective_connection_limit(512, std::nullopt) == 512);
}
