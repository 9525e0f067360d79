#include "log/log.h"

#include "core/clock.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace knutpunkt::log {
namespace {

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string_view name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

}  // namespace

void init(Level min_level, std::string_view file) {
  std::shared_ptr<spdlog::logger> logger;
  if (file.empty()) {
    logger = spdlog::stderr_logger_mt("knutpunkt");
  } else {
    logger = spdlog::basic_logger_mt("knutpunkt", std::string(file));
  }
  logger->set_pattern("%v");  // the line is already a complete JSON object
  logger->set_level(to_spdlog(min_level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

void write(Level level, std::string_view event, nlohmann::json fields) {
  auto logger = spdlog::default_logger_raw();
  if (logger == nullptr || !logger->should_log(to_spdlog(level))) return;
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = now_utc();
  line["level"] = name(level);
  line["event"] = event;
  if (fields.is_object()) {
    for (auto& [key, value] : fields.items()) line[key] = std::move(value);
  }
  logger->log(to_spdlog(level), "{}", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace knutpunkt::log
