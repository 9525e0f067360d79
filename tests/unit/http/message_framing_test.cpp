// How a request's body is delimited (RFC 9112 §6): Content-Length, or chunked alone.
#include "http/message_framing.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace knutpunkt::http;
namespace bhttp = boost::beast::http;

namespace {

Request header_with(const std::vector<std::pair<std::string, std::string>>& fields, unsigned version = 11) {
  Request request{bhttp::verb::post, "/v1/referrals", version};
  for (const auto& [name, value] : fields) request.insert(name, value);
  return request;
}

unsigned refused_with(const Request& request) {
  const auto checked = check_framing(request);
  if (checked) return 0;
  CHECK(checked.error().invalid_params.size() == 1);
  return checked.error().status;
}

}  // namespace

TEST_CASE("a body framed by Content-Length, or by chunked alone, is accepted") {
  CHECK(refused_with(header_with({})) == 0);
  CHECK(refused_with(header_with({{"Content-Length", "12"}})) == 0);
  CHECK(refused_with(header_with({{"Transfer-Encoding", "chunked"}})) == 0);
  CHECK(refused_with(header_with({{"Transfer-Encoding", "Chunked"}})) == 0);
  CHECK(refused_with(header_with({{"Transfer-Encoding", " chunked\t"}})) == 0);
  CHECK(refused_with(header_with({{"Transfer-Encoding", ", chunked,"}})) == 0);
}

TEST_CASE("a transfer coding that leaves the body's end unknown is refused 400") {
  for (const char* codings : {"gzip", "chunked, gzip", "identity", "chunked, chunked", "", ",", "chunkedx"}) {
    INFO(codings);
    CHECK(refused_with(header_with({{"Transfer-Encoding", codings}})) == 400);
  }
  CHECK(refused_with(header_with({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}})) == 400);
  CHECK(refused_with(header_with({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "gzip"}})) == 400);
}

TEST_CASE("Transfer-Encoding beside Content-Length, or on HTTP/1.0, is refused 400") {
  CHECK(refused_with(header_with({{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}})) == 400);
  CHECK(refused_with(header_with({{"Content-Length", "5"}, {"Transfer-Encoding", "gzip"}})) == 400);
  CHECK(refused_with(header_with({{"Transfer-Encoding", "chunked"}}, 10)) == 400);
}

TEST_CASE("a coding before chunked that the gateway does not decode is refused 501") {
  const auto checked = check_framing(header_with({{"Transfer-Encoding", "gzip, chunked"}}));
  REQUIRE_FALSE(checked);
  CHECK(checked.error().status == 501);
  CHECK(checked.error().code == "transfer_encoding_not_supported");
  CHECK(checked.error().invalid_params[0].name == "Transfer-Encoding");
  CHECK(refused_with(header_with({{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}})) == 501);
}
