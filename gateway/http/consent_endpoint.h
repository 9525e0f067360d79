#pragma once
// The consent registry's API (12 kap. OSL): POST /v1/consents records a consent, DELETE
// /v1/consents/{id} withdraws it, POST /v1/consents/search {"person_id"} lists a person's consents
// (a POST that only reads: a personnummer in a URL would be in every proxy's log). The
// rules are the registry's (consent/consent_registry.h); this edge reads the request, names every
// invalid field, and answers once the record is durable. Every change and read is audited,
// refusals included.
#include <set>
#include <string>

#include "consent/consent_registry.h"
#include "http/exchange.h"

namespace knutpunkt::http {

class ConsentEndpoint {
 public:
  // `partners`: the configured adapter names a consent may name.
  ConsentEndpoint(consent::ConsentRegistry& registry, std::set<std::string> partners)
      : registry_(registry), partners_(std::move(partners)) {}

  // Guard: case systems; each sees and withdraws the consents it recorded.
  void record(Exchange exchange);
  void withdraw(Exchange exchange);
  void list(Exchange exchange);

 private:
  consent::ConsentRegistry& registry_;
  std::set<std::string> partners_;
};

}  // namespace knutpunkt::http
