// The request metrics: counts per route pattern and status, exact under concurrent requests, and
// a duration histogram whose buckets, sum and count agree.
#include "http/request_metrics.h"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

using namespace knutpunkt;
using namespace knutpunkt::http;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;

namespace {

RouteTable two_routes() {
  RouteTable table;
  table.add({bhttp::verb::get, "/v1/referrals/{referral_id}", Guard::anyone(), {}, [](Exchange) {}});
  table.add({bhttp::verb::post, "/v1/referrals", Guard::anyone(), {}, [](Exchange) {}});
  return table;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("requests are counted per route pattern, method and status, and only routes that saw one are listed") {
  const RouteTable table = two_routes();
  RequestMetrics metrics(table);
  metrics.record(RequestMetrics::Series::route(0), 200, 3ms);
  metrics.record(RequestMetrics::Series::route(0), 200, 3ms);
  metrics.record(RequestMetrics::Series::route(0), 404, 3ms);
  const std::string text = metrics.render_prometheus();
  INFO(text);
  CHECK(has_line(text, "# TYPE knutpunkt_http_requests_total counter"));
  CHECK(has_line(text, "# TYPE knutpunkt_http_request_duration_seconds histogram"));
  CHECK(has_line(text,
                 R"(knutpunkt_http_requests_total{route="/v1/referrals/{referral_id}",method="GET",status="200"} 2)"));
  CHECK(has_line(text,
                 R"(knutpunkt_http_requests_total{route="/v1/referrals/{referral_id}",method="GET",status="404"} 1)"));
  CHECK(text.find(R"(route="/v1/referrals",method="POST")") == std::string::npos);
  CHECK(text.find("route=\"unmatched\"") == std::string::npos);
}

TEST_CASE("durations fall in the first bucket whose bound they do not exceed; buckets are cumulative") {
  const RouteTable table = two_routes();
  RequestMetrics metrics(table);
  const auto series = RequestMetrics::Series::route(1);
  metrics.record(series, 201, 5ms);     // on the bound: le="0.005"
  metrics.record(series, 201, 6ms);     // le="0.01"
  metrics.record(series, 201, 1500ms);  // le="2.5"
  metrics.record(series, 201, 30s);     // over the last bound: +Inf only
  const std::string text = metrics.render_prometheus();
  INFO(text);
  const std::string labels = R"(route="/v1/referrals",method="POST")";
  CHECK(has_line(text, "knutpunkt_http_request_duration_seconds_bucket{" + labels + R"(,le="0.005"} 1)"));
  CHECK(has_line(text, "knutpunkt_http_request_duration_seconds_bucket{" + labels + R"(,le="0.01"} 2)"));
  CHECK(has_line(text, "knutpunkt_http_request_duration_seconds_bucket{" + labels + R"(,le="1"} 2)"));
  CHECK(has_line(text, "knutpunkt_http_request_duration_seconds_bucket{" + labels + R"(,le="2.5"} 3)"));
  CHECK(has_line(text, "knutpunkt_http_request_duration_seconds_bucket{" + labels + R"(,le="10"} 3)"));
  CHECK(has_line(text, "knutpunkt_http_request_duration_seconds_bucket{" + labels + R"(,le="+Inf"} 4)"));
  CHECK(has_line(text, "knutpunkt_http_request_duration_seconds_sum{" + labels + "} 31.511"));
  CHECK(has_line(text, "knutpunkt_http_request_duration_seconds_count{" + labels + "} 4"));
}

TEST_CASE("requests no route takes are one series per method, labelled route unmatched") {
  const RouteTable table = two_routes();
  RequestMetrics metrics(table);
  metrics.record(RequestMetrics::Series::unmatched(bhttp::verb::get), 404, 1ms);
  metrics.record(RequestMetrics::Series::unmatched(bhttp::verb::get), 404, 1ms);
  metrics.record(RequestMetrics::Series::unmatched(bhttp::verb::put), 405, 1ms);
  metrics.record(RequestMetrics::Series::unmatched(bhttp::verb::unknown), 404, 1ms);
  const std::string text = metrics.render_prometheus();
  INFO(text);
  CHECK(has_line(text, R"(knutpunkt_http_requests_total{route="unmatched",method="GET",status="404"} 2)"));
  CHECK(has_line(text, R"(knutpunkt_http_requests_total{route="unmatched",method="PUT",status="405"} 1)"));
  CHECK(has_line(text, R"(knutpunkt_http_requests_total{route="unmatched",method="<unknown>",status="404"} 1)"));
  CHECK(has_line(text, R"(knutpunkt_http_request_duration_seconds_count{route="unmatched",method="GET"} 2)"));
}

TEST_CASE("a status outside 100 to 599 is counted as other") {
  const RouteTable table = two_routes();
  RequestMetrics metrics(table);
  metrics.record(RequestMetrics::Series::route(0), 999, 1ms);
  metrics.record(RequestMetrics::Series::route(0), 99, 1ms);
  const std::string text = metrics.render_prometheus();
  INFO(text);
  CHECK(has_line(
      text, R"(knutpunkt_http_requests_total{route="/v1/referrals/{referral_id}",method="GET",status="other"} 2)"));
}

TEST_CASE("counts stay exact when eight threads count 100,000 requests each at once") {
  const RouteTable table = two_routes();
  RequestMetrics metrics(table);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 100000; ++i) metrics.record(RequestMetrics::Series::route(0), 200, 2ms);
    });
  }
  for (auto& thread : threads) thread.join();
  const std::string text = metrics.render_prometheus();
  INFO(text);
  // An integer, not 8e+05: a float format would round counts past a million.
  CHECK(has_line(
      text, R"(knutpunkt_http_requests_total{route="/v1/referrals/{referral_id}",method="GET",status="200"} 800000)"));
  CHECK(has_line(
      text,
      R"(knutpunkt_http_request_duration_seconds_count{route="/v1/referrals/{referral_id}",method="GET"} 800000)"));
  CHECK(has_line(
      text, R"(knutpunkt_http_request_duration_seconds_sum{route="/v1/referrals/{referral_id}",method="GET"} 1600)"));
}

TEST_CASE("request metrics describe the table they were laid out for, and no other") {
  const RouteTable table = two_routes();
  const RequestMetrics metrics(table);
  CHECK(metrics.describes(table));
  RouteTable longer = two_routes();
  longer.add({bhttp::verb::get, "/v1/referrals/{referral_id}/events", Guard::anyone(), {}, [](Exchange) {}});
  CHECK_FALSE(metrics.describes(longer));
  RouteTable reordered;
  reordered.add({bhttp::verb::post, "/v1/referrals", Guard::anyone(), {}, [](Exchange) {}});
  reordered.add({bhttp::verb::get, "/v1/referrals/{referral_id}", Guard::anyone(), {}, [](Exchange) {}});
  CHECK_FALSE(metrics.describes(reordered));
}
