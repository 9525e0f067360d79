#include "mapping/json_path.h"

namespace knutpunkt::mapping {
namespace {

std::vector<std::string> cursor_tokens(const JsonCursor& cursor) {
  std::vector<std::string> tokens;
  for (std::size_t i = 1; i < cursor.size(); ++i) {
    const nlohmann::json& parent = *cursor[i - 1];
    if (parent.is_array()) {
      for (std::size_t index = 0; index < parent.size(); ++index) {
        if (&parent[index] == cursor[i]) {
          tokens.push_back(std::to_string(index));
          break;
        }
      }
    } else if (parent.is_object()) {
      for (auto it = parent.begin(); it != parent.end(); ++it) {
        if (&*it == cursor[i]) {
          tokens.push_back(it.key());
          break;
        }
      }
    }
  }
  return tokens;
}

std::string joined(const std::vector<std::string>& tokens) {
  std::string pointer;
  for (const auto& token : tokens) {
    pointer += '/';
    pointer += pointer_token(token);
  }
  return pointer;
}

}  // namespace

std::string pointer_token(std::string_view key) {
  std::string escaped;
  for (char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string json_pointer(const JsonCursor& cursor) {
  return joined(cursor_tokens(cursor));
}

std::string JsonPath::pointer_from(const JsonCursor& from) const {
  std::vector<std::string> tokens = absolute_ ? std::vector<std::string>{} : cursor_tokens(from);
  for (const Step& step : steps_) {
    switch (step.kind) {
      case Kind::self:
        break;
      case Kind::parent:
        if (!tokens.empty()) tokens.pop_back();
        break;
      case Kind::wildcard:
        tokens.emplace_back("*");
        break;
      case Kind::key:
        tokens.push_back(step.key);
        break;
    }
  }
  return joined(tokens);
}

std::expected<JsonPath, std::string> JsonPath::compile(const std::string& text) {
  JsonPath path;
  path.text_ = text;
  std::string_view rest = text;
  if (!rest.empty() && rest.front() == '/') {
    path.absolute_ = true;
    rest.remove_prefix(1);
  }
  if (rest.empty()) return path;  // "/" is the root, "" the item itself
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view raw = rest.substr(0, slash);
    if (raw.empty()) return std::unexpected("empty step in path '" + text + "'");
    Step step{Kind::key, {}};
    if (raw == "*") {
      step.kind = Kind::wildcard;
      path.has_wildcard_ = true;
    } else if (raw == "..") {
      step.kind = Kind::parent;
    } else if (raw == ".") {
      step.kind = Kind::self;
    } else {
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '~') {
          step.key += raw[i];
        } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
          step.key += raw[++i] == '0' ? '~' : '/';
        } else {
          return std::unexpected("bad ~ escape in path '" + text + "'");
        }
      }
    }
    path.steps_.push_back(std::move(step));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return path;
}

std::vector<JsonCursor> JsonPath::select(const JsonCursor& from) const {
  if (from.empty()) return {};
  std::vector<JsonCursor> current;
  current.push_back(absolute_ ? JsonCursor{from.front()} : from);
  for (const Step& step : steps_) {
    std::vector<JsonCursor> next;
    for (JsonCursor& cursor : current) {
      const nlohmann::json& value = *cursor.back();
      switch (step.kind) {
        case Kind::self:
          next.push_back(std::move(cursor));
          break;
        case Kind::parent:
          if (cursor.size() > 1) {
            cursor.pop_back();
            next.push_back(std::move(cursor));
          }
          break;
        case Kind::wildcard:
          if (value.is_array() || value.is_object()) {
            for (const auto& child : value) {
              JsonCursor extended = cursor;
              extended.push_back(&child);
              next.push_back(std::move(extended));
            }
          }
          break;
        case Kind::key:
          if (value.is_object()) {
            const auto found = value.find(step.key);
            if (found != value.end()) {
              JsonCursor extended = cursor;
              extended.push_back(&*found);
              next.push_back(std::move(extended));
            }
          } else if (value.is_array() && !step.key.empty() &&
                     step.key.find_first_not_of("0123456789") == std::string::npos && step.key.size() < 10) {
            const auto index = std::stoul(step.key);
            if (index < value.size()) {
              JsonCursor extended = cursor;
              extended.push_back(&value[index]);
              next.push_back(std::move(extended));
            }
          }
          break;
      }
    }
    current = std::move(next);
  }
  std::erase_if(current, [](const JsonCursor& c) { return c.back()->is_null(); });
  return current;
}

}  // namespace knutpunkt::mapping
