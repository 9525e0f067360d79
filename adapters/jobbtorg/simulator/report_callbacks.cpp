#include "report_callbacks.h"

#include <iostream>

#include "report_writer.h"

namespace knutpunkt::jobbtorg_simulator {

namespace kit = simulator_kit;

std::vector<kit::CallbackMaker> report_callbacks(const std::string& anvisnings_id,
                                                 std::vector<nlohmann::json> reports) {
  std::vector<kit::CallbackMaker> makers;
  makers.reserve(reports.size());
  for (auto& report : reports)
    makers.push_back([anvisnings_id, report = std::move(report)]() mutable {
      complete_report(report, anvisnings_id);
      return kit::Callback{report["meddelandeId"].get<std::string>(), report.dump()};
    });
  return makers;
}

kit::CallbackReply send_report_once(kit::CallbackSender& sender, const nlohmann::json& report) {
  return sender.send_once(report.value("anvisningsId", ""),
                          kit::Callback{report.value("meddelandeId", ""), report.dump()});
}

nlohmann::json reports_of(const kit::CallbackSender& sender, const std::string& anvisnings_id) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& record : sender.records_of(anvisnings_id)) {
    auto listed = kit::describe(record);
    // The typ is read back from the body, which is exactly what was sent under this meddelandeId.
    const auto body = nlohmann::json::parse(record.body, nullptr, false);
    const auto typ = body.find("typ");
    listed["typ"] = typ != body.end() && typ->is_string() ? typ->get<std::string>() : std::string();
    listed["meddelandeId"] = record.id;
    out.push_back(std::move(listed));
  }
  return out;
}

void log_report_gave_up(const kit::CallbackRecord& report) {
  std::cerr << "report gave up meddelandeId=" << report.id << " anvisningsId=" << report.lane
            << " status=" << report.last_status << std::endl;
}

}  // namespace knutpunkt::jobbtorg_simulator
