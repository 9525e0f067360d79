#include "problem.h"

namespace knutpunkt::simulator_kit {

nlohmann::json problem(int status, const std::string& title, const std::string& detail) {
  return {{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
}

}  // namespace knutpunkt::simulator_kit
