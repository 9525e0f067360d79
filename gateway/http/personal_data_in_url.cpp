#include "http/personal_data_in_url.h"

#include "core/clock.h"
#include "policy/person_id.h"

namespace knutpunkt::http {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_separator(char c) {
  return c == '-' || c == '+';
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-encoding undone; a '%' not followed by two hex digits is kept as it is ('+' too: in a
// request line it is a personnummer's separator as much as a space).
std::string percent_decoded(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::size_t digits_from(const std::string& s, std::size_t at) {
  std::size_t end = at;
  while (end < s.size() && is_digit(s[end])) ++end;
  return end - at;
}

bool ends_word(const std::string& s, std::size_t end) {
  return end >= s.size() || !is_alnum(s[end]);
}

// A separated number ("19121212-1212") stands alone when no further group is joined to it: a
// UUID's "12345678-1234-…" is one identifier, not a personnummer.
bool ends_alone(const std::string& s, std::size_t end) {
  if (!ends_word(s, end)) return false;
  return !(is_separator(s[end]) && end + 1 < s.size() && is_alnum(s[end + 1]));
}

// Whether the text is a personnummer or samordningsnummer by shape, date and check digit. A
// number born "tomorrow" is as telling as one born yesterday; one of a person more than 130 years
// old (a year like 0504) is no living person's.
bool is_person_id(std::string_view text) {
  auto id = policy::parse_person_id(text, today_utc());
  return id.has_value() || id.error().code == "future_date";
}

bool is_hex(char c) {
  return hex_value(c) >= 0;
}

// Whether the 12 characters at `at` are the last group of a UUID (8-4-4-4-12 hex digits).
bool ends_uuid(const std::string& s, std::size_t at) {
  if (at < 24 || at + 12 > s.size()) return false;
  const std::size_t start = at - 24;
  for (std::size_t i = 0; i < 36; ++i) {
    const char c = s[start + i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !is_hex(c)) return false;
  }
  return start == 0 || !is_alnum(s[start - 1]);
}

// Masks every personnummer in `text` in place; true when there was one.
bool mask_person_ids(std::string& text) {
  bool found = false;
  std::size_t i = 0;
  while (i < text.size()) {
    // Digits inside a word ("EB2026…", a hex id) are part of that word.
    if (!is_digit(text[i]) || (i > 0 && is_alnum(text[i - 1]))) {
      ++i;
      continue;
    }
    const std::size_t head = digits_from(text, i);
    std::size_t length = 0;
    if ((head == 10 || head == 12) && ends_word(text, i + head) && !(head == 12 && ends_uuid(text, i))) {
      length = head;
    } else if ((head == 6 || head == 8) && i + head < text.size() && is_separator(text[i + head]) &&
               digits_from(text, i + head + 1) == 4 && ends_alone(text, i + head + 5)) {
      length = head + 5;
    }
    if (length > 0 && is_person_id(std::string_view(text).substr(i, length))) {
      for (std::size_t k = i; k < i + length; ++k) {
        if (is_digit(text[k])) text[k] = 'X';
      }
      found = true;
    }
    i += head == 0 ? 1 : head;
  }
  return found;
}

}  // namespace

PersonIdsInUrl find_person_ids_in_url(std::string_view target) {
  PersonIdsInUrl out;
  const auto q = target.find('?');
  std::string path = percent_decoded(target.substr(0, q));
  if (mask_person_ids(path)) out.places.push_back("path");
  out.masked_target = std::move(path);
  if (q == std::string_view::npos) return out;
  out.masked_target += '?';
  std::string_view rest = target.substr(q + 1);
  bool first = true;
  while (true) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    std::string name = percent_decoded(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? std::string() : percent_decoded(pair.substr(eq + 1));
    std::string shown_name = name;
    const bool in_name = mask_person_ids(shown_name);
    const bool in_value = mask_person_ids(value);
    if (in_name || in_value) out.places.push_back(in_name ? shown_name : name);
    if (!first) out.masked_target += '&';
    first = false;
    out.masked_target += shown_name;
    if (eq != std::string_view::npos) out.masked_target += '=' + value;
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return out;
}

}  // namespace knutpunkt::http
