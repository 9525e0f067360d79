#include "fault_control.h"

#include <iostream>
#include <utility>

#include "connection_abort.h"
#include "problem.h"

namespace knutpunkt::simulator_kit {

void serve_fault_control(httplib::Server& server, const std::string& prefix, FaultPlan& faults,
                         std::function<std::string(const FaultSpecError&)> invalid_body) {
  const std::string path = prefix + "/faults";
  server.Put(path, [&faults, invalid_body = std::move(invalid_body)](const httplib::Request& request,
                                                                     httplib::Response& response) {
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    auto spec =
        body.is_discarded() ? std::unexpected(FaultSpecError{"", "the body is not JSON"}) : parse_fault_spec(body);
    if (!spec) {
      response.status = 400;
      response.set_content(invalid_body(spec.error()), kProblemJson);
      return;
    }
    std::cerr << "faults set " << describe(*spec).dump() << std::endl;
    faults.set(*spec);
    response.set_content(faults.describe().dump(), kJson);
  });
  server.Get(path, [&faults](const httplib::Request&, httplib::Response& response) {
    response.set_content(faults.describe().dump(), kJson);
  });
  server.Delete(path, [&faults](const httplib::Request&, httplib::Response& response) {
    faults.clear();
    std::cerr << "faults cleared" << std::endl;
    response.status = 204;
  });
}

void answer_fault(const FaultDecision& fault, const httplib::Request& request, httplib::Response& response,
                  const std::string& body, const char* content_type) {
  if (fault.action == FaultAction::reset) {
    reset_connection(request, response);
    return;
  }
  response.status = fault.status;
  if (!fault.retry_after.empty()) response.set_header("Retry-After", fault.retry_after);
  response.set_content(body, content_type);
}

}  // namespace knutpunkt::simulator_kit
