// An export is sent from disk in chunks of a fixed size: a file many chunks long goes out
// byte for byte, and at no point is it held in memory whole.
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <random>

#include "export_test_support.h"
#include "http/message.h"

using namespace knutpunkt;
namespace bhttp = boost::beast::http;

namespace {

std::string file_of(std::size_t size) {
  std::string content(size, '\0');
  std::mt19937 random(7);
  for (auto& c : content) c = static_cast<char>('a' + random() % 26);
  return content;
}

}  // namespace

TEST_CASE("a streamed export goes out whole and one fixed-size chunk at a time, never read whole") {
  audit_test::TempDir dir;
  const auto path = dir.path / "export.jsonl";
  const std::size_t size = 5 * http::ResponseBody::kChunkBytes + 123;
  const std::string content = file_of(size);
  std::ofstream(path, std::ios::binary) << content;

  http::Response response{bhttp::status::ok, 11};
  auto file = http::StreamedFile::open(path);
  REQUIRE(file);
  response.body().stream_file(std::move(file));
  response.prepare_payload();
  CHECK(response[bhttp::field::content_length] == std::to_string(size));
  CHECK(response.body().empty());  // the content stays on disk

  bhttp::serializer<false, http::ResponseBody> serializer(response);
  serializer.split(true);
  boost::beast::error_code ec;
  std::string sent_body;
  std::size_t largest = 0;
  bool header_done = false;
  while (!serializer.is_done()) {
    std::size_t taken = 0;
    serializer.next(ec, [&](boost::beast::error_code&, const auto& buffers) {
      for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
           ++it) {
        const boost::asio::const_buffer b = *it;
        if (header_done) {
          sent_body.append(static_cast<const char*>(b.data()), b.size());
          largest = std::max(largest, b.size());
        }
        taken += b.size();
      }
    });
    REQUIRE_FALSE(ec);
    serializer.consume(taken);
    header_done = header_done || serializer.is_header_done();
  }
  CHECK(sent_body.size() == size);
  CHECK(sent_body == content);
  CHECK(largest <= http::ResponseBody::kChunkBytes);
}

TEST_CASE("a text body is sent as before") {
  http::Response response{bhttp::status::ok, 11};
  response.body() = std::string("{\"ok\":true}");
  response.prepare_payload();
  bhttp::serializer<false, http::ResponseBody> serializer(response);
  boost::beast::error_code ec;
  std::string wire;
  while (!serializer.is_done()) {
    std::size_t taken = 0;
    serializer.next(ec, [&](boost::beast::error_code&, const auto& buffers) {
      for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
           ++it) {
        const boost::asio::const_buffer b = *it;
        wire.append(static_cast<const char*>(b.data()), b.size());
        taken += b.size();
      }
    });
    REQUIRE_FALSE(ec);
    serializer.consume(taken);
  }
  CHECK(wire.ends_with("\r\n\r\n{\"ok\":true}"));
  CHECK(response.body() == "{\"ok\":true}");
}
