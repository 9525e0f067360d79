#pragma once
// Operators watch and repair delivery: GET /v1/messages/{id} (status and attempt history),
// GET /v1/dead-letters (filters: destination, after, limit), POST /v1/dead-letters/{id}/replay.
// Operators see no payloads here: they need to know what failed and why, not about whom.
#include "delivery/delivery_engine.h"
#include "http/client_auth.h"
#include "http/server.h"
#include "store/store.h"

namespace knutpunkt::http {

class OperatorEndpoint {
 public:
  OperatorEndpoint(delivery::DeliveryEngine& engine, Store& store, const ClientAuth& auth)
      : engine_(engine), store_(store), auth_(auth) {}

  void message(const std::string& id, Request&& request, Reply reply);
  void dead_letters(Request&& request, Reply reply);
  void replay(const std::string& id, Request&& request, Reply reply);

 private:
  const ClientConfig* authorise(const Request& request, Reply& reply);

  delivery::DeliveryEngine& engine_;
  Store& store_;
  const ClientAuth& auth_;
};

}  // namespace knutpunkt::http
