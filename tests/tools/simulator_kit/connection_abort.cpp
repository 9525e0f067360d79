#include "connection_abort.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <charconv>
#include <filesystem>
#include <string>

namespace knutpunkt::simulator_kit {

namespace {

struct Endpoint {
  std::string address;
  int port = -1;
};

Endpoint endpoint_of(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    return {text, ntohs(v4.sin_port)};
  }
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    return {text, ntohs(v6.sin6_port)};
  }
  return {};
}

bool carries(int fd, const httplib::Request& request) {
  struct stat status {};
  if (fstat(fd, &status) != 0 || !S_ISSOCK(status.st_mode)) return false;
  sockaddr_storage local{};
  sockaddr_storage peer{};
  socklen_t local_size = sizeof local;
  socklen_t peer_size = sizeof peer;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) != 0) return false;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0) return false;
  const auto here = endpoint_of(local);
  const auto there = endpoint_of(peer);
  return here.port == request.local_port && there.port == request.remote_port &&
         there.address == request.remote_addr;
}

}  // namespace

bool abort_connection(const httplib::Request& request) {
  // The request's 4-tuple names exactly one open socket of this process, and that socket stays
  // open while this handler runs, so matching it among our descriptors is race-free.
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    const auto name = entry.path().filename().string();
    int fd = -1;
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc{}) continue;
    if (!carries(fd, request)) continue;
    const linger abortive{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
    // connect(AF_UNSPEC) disconnects a TCP socket in place (Linux tcp_disconnect): an established
    // connection gets an RST now, while the descriptor stays valid for cpp-httplib to close later.
    sockaddr unspecified{};
    unspecified.sa_family = AF_UNSPEC;
    return connect(fd, &unspecified, sizeof unspecified) == 0;
  }
  return false;
}

void abort_by_truncation(httplib::Response& response, const char* content_type) {
  response.set_content_provider(4096, content_type, [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
}

void reset_connection(const httplib::Request& request, httplib::Response& response) {
  if (!abort_connection(request)) abort_by_truncation(response);
}

}  // namespace knutpunkt::simulator_kit
