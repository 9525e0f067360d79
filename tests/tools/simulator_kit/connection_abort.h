#pragma once
// A connection reset on demand. cpp-httplib 0.11 gives a handler no access to its socket, and any
// status it sets is written out; a client must instead see what a crashed or overloaded peer does:
// RST and no reply. See connection_abort.cpp for how the socket is found.
#include <httplib.h>

namespace knutpunkt::simulator_kit {

// Resets the TCP connection that carries `request`. The handler should then return at once; the
// server's write of its reply fails and it closes the socket. False if the socket was not found
// (the caller should then fall back to abort_by_truncation).
bool abort_connection(const httplib::Request& request);

// Fallback: headers promising a body that never comes, then close. Clients see a broken reply.
void abort_by_truncation(httplib::Response& response, const char* content_type = "application/json");

// No reply for this request: a reset if its socket is found, else a broken reply.
void reset_connection(const httplib::Request& request, httplib::Response& response);

}  // namespace knutpunkt::simulator_kit
