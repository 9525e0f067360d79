// Which request targets hold a personnummer: by shape, date and check digit, standing alone.
#include "http/personal_data_in_url.h"

#include <catch2/catch.hpp>

using namespace knutpunkt::http;

TEST_CASE("every written form of a personnummer or samordningsnummer is found, in the path or a parameter") {
  for (const char* target : {"/p/191212121212", "/p/19121212-1212", "/p/1212121212", "/p/121212-1212", "/p/121212+1212",
                             "/p/121212%2B1212", "/p/19121212%2d1212", "/p/%31%391212121212",
                             "/p?a=1&person=197010632391", "/p?person_id=701063-2391", "/p/x_191212121212"}) {
    INFO(target);
    CHECK(find_person_ids_in_url(target).found());
  }
  const auto both = find_person_ids_in_url("/p/191212121212/t?who=121212-1212&n=2");
  CHECK(both.places == std::vector<std::string>{"path", "who"});
  CHECK(both.masked_target == "/p/XXXXXXXXXXXX/t?who=XXXXXX-XXXX&n=2");
  // A number used as a parameter's name is masked there too.
  CHECK(find_person_ids_in_url("/p?191212121212=1").masked_target == "/p?XXXXXXXXXXXX=1");
}

TEST_CASE("digits that are no personnummer are not found: a bad check digit, no such date, inside a word or a UUID") {
  for (const char* target :
       {"/p/191212121213", "/p/19121312-1212", "/p/1234567890", "/p/12345678901", "/p/1912121212123",
        "/p/EB191212121212", "/p/191212121212ab", "/p/19121212-1212-4d5e-8f90-123456789abc",
        "/p/0f0e0d0c-0b0a-4908-8706-050403020100/file", "/p/0f0e0d0c-0b0a-4908-8706-191212121212",
        "/p?since=2026-11-24T10:00:00Z", "/p?after=42&limit=500", "/p/EB-2026-0001", "/p/20261124"}) {
    INFO(target);
    CHECK_FALSE(find_person_ids_in_url(target).found());
  }
}
