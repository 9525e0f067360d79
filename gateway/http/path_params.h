#pragma once
// The values of a matched route's "{name}" path segments.
#include <map>
#include <string>

namespace knutpunkt::http {

class PathParams {
 public:
  // Every name the matched pattern has is present.
  const std::string& at(const std::string& name) const { return values_.at(name); }
  void set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace knutpunkt::http
