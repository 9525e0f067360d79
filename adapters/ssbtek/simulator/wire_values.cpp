#include "wire_values.h"

#include <openssl/evp.h>

#include <chrono>

namespace knutpunkt::ssbtek_simulator {

namespace {

std::chrono::year_month_day last_sunday(std::chrono::year year, std::chrono::month month) {
  return std::chrono::year_month_day{
      std::chrono::sys_days{std::chrono::year_month_weekday_last{year, month, std::chrono::Sunday[std::chrono::last]}}};
}

}  // namespace

std::string stockholm_offset(const std::string& iso_date) {
  const std::chrono::year year{std::stoi(iso_date.substr(0, 4))};
  const std::chrono::year_month_day day{year,
                                        std::chrono::month{static_cast<unsigned>(std::stoi(iso_date.substr(5, 2)))},
                                        std::chrono::day{static_cast<unsigned>(std::stoi(iso_date.substr(8, 2)))}};
  // The clocks change at night, after 00:00: the day of the spring switch starts in winter time and
  // the day of the autumn switch in summer time.
  const bool summer = day > last_sunday(year, std::chrono::March) && day <= last_sunday(year, std::chrono::October);
  return summer ? "+02:00" : "+01:00";
}

std::string xml_date(const std::string& iso_date, ReplyMode mode) {
  if (mode == ReplyMode::published || iso_date.size() != 10) return iso_date;
  return iso_date + stockholm_offset(iso_date);
}

std::int64_t ore(const std::string& amount) {
  const bool negative = !amount.empty() && amount.front() == '-';
  const std::string digits = negative ? amount.substr(1) : amount;
  const auto dot = digits.find('.');
  const std::int64_t whole = std::stoll(dot == std::string::npos ? digits : digits.substr(0, dot));
  std::string fraction = dot == std::string::npos ? "" : digits.substr(dot + 1);
  fraction.resize(2, '0');
  const std::int64_t value = whole * 100 + std::stoll(fraction);
  return negative ? -value : value;
}

std::string kronor(const std::string& amount, ReplyMode mode) {
  const std::int64_t value = ore(amount);
  const std::int64_t magnitude = value < 0 ? -value : value;
  std::string out = (value < 0 ? "-" : "") + std::to_string(magnitude / 100);
  const std::int64_t cents = magnitude % 100;
  if (mode == ReplyMode::production) return out + (cents < 10 ? ".0" : ".") + std::to_string(cents);
  if (cents == 0) return out;
  if (cents % 10 == 0) return out + "." + std::to_string(cents / 10);
  return out + (cents < 10 ? ".0" : ".") + std::to_string(cents);
}

std::string base64(const std::string& bytes, ReplyMode mode) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  if (mode == ReplyMode::published) return out;
  constexpr std::size_t kLine = 76;
  std::string lines;
  for (std::size_t at = 0; at < out.size(); at += kLine) {
    if (at > 0) lines += "\n";
    lines += out.substr(at, kLine);
  }
  return lines;
}

}  // namespace knutpunkt::ssbtek_simulator
