#include "tls/reloadable_context.h"

#include "tls/certificate_info.h"

namespace knutpunkt::tls {

ReloadableContext::ReloadableContext(std::string name, Build build, std::string certificate_chain)
    : name_(std::move(name)), build_(std::move(build)), certificate_chain_(std::move(certificate_chain)) {}

std::expected<std::shared_ptr<ReloadableContext>, std::string> ReloadableContext::create(
    std::string name, Build build, std::string certificate_chain) {
  std::shared_ptr<ReloadableContext> context(
      new ReloadableContext(std::move(name), std::move(build), std::move(certificate_chain)));
  if (auto loaded = context->load(); !loaded) return std::unexpected(loaded.error());
  return context;
}

std::expected<void, std::string> ReloadableContext::load() {
  std::optional<std::chrono::system_clock::time_point> not_after;
  if (!certificate_chain_.empty()) {
    auto read = chain_not_after(certificate_chain_);
    if (!read) return std::unexpected(read.error());
    not_after = *read;
  }
  auto built = build_();
  if (!built) return std::unexpected(built.error());
  std::lock_guard lock(mutex_);
  current_ = std::move(*built);
  not_after_ = not_after;
  return {};
}

ReloadableContext::Context ReloadableContext::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::expected<void, std::string> ReloadableContext::reload() {
  return load();
}

std::optional<std::chrono::system_clock::time_point> ReloadableContext::not_after() const {
  std::lock_guard lock(mutex_);
  return not_after_;
}

void ContextRegistry::add(std::shared_ptr<ReloadableContext> context) {
  std::lock_guard lock(mutex_);
  contexts_.push_back(std::move(context));
}

std::vector<ContextRegistry::ReloadFailure> ContextRegistry::reload_all() {
  std::vector<std::shared_ptr<ReloadableContext>> contexts;
  {
    std::lock_guard lock(mutex_);
    contexts = contexts_;
  }
  std::vector<ReloadFailure> failures;
  for (const auto& context : contexts) {
    if (auto reloaded = context->reload(); !reloaded) failures.push_back({context->name(), reloaded.error()});
  }
  return failures;
}

std::vector<ContextRegistry::Expiry> ContextRegistry::expiries() const {
  std::lock_guard lock(mutex_);
  std::vector<Expiry> out;
  for (const auto& context : contexts_) {
    if (auto not_after = context->not_after()) out.push_back({context->name(), *not_after});
  }
  return out;
}

}  // namespace knutpunkt::tls
