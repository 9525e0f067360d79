#include "child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace knutpunkt::testing {

namespace {

std::vector<char*> to_argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

ChildProcess::ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
                           const std::filesystem::path& log_prefix) {
  std::vector<std::string> all{program.string()};
  all.insert(all.end(), args.begin(), args.end());
  const std::string out = log_prefix.string() + ".out";
  const std::string err = log_prefix.string() + ".err";
  err_path_ = err;
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out_fd >= 0) ::dup2(out_fd, STDOUT_FILENO);
    if (err_fd >= 0) ::dup2(err_fd, STDERR_FILENO);
    auto argv = to_argv(all);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_) terminate();
}

bool ChildProcess::running() {
  if (exit_code_) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    report_sanitizer_findings();
    return false;
  }
  return true;
}

// Every AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer report ends in a line
// "SUMMARY: <name>Sanitizer: ...". The child's exit status alone would not do: tests stop the
// gateway and simulators with signals and do not all look at how they ended, and a leak is
// found only at exit, after the test's last request. A FAIL_CHECK, not an exception: this also
// runs in destructors.
void ChildProcess::report_sanitizer_findings() const {
  std::ifstream err(err_path_);
  std::string line;
  while (std::getline(err, line)) {
    if (line.starts_with("SUMMARY: ") && line.find("Sanitizer") != std::string::npos) {
      FAIL_CHECK("sanitizer report from a child process (exit " << exit_code_.value_or(-1) << "), see "
                 << err_path_.string() << ": " << line);
    }
  }
}

void ChildProcess::reap(std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (running() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds{10});
}

void ChildProcess::terminate() {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  reap(std::chrono::seconds{10});
  if (running()) kill();
}

void ChildProcess::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  reap(std::chrono::seconds{10});
}

unsigned short free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::optional<unsigned short> wait_for_port_file(const std::filesystem::path& file, ChildProcess& process,
                                                 std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream in(file);
    unsigned port = 0;
    if (in >> port && port > 0 && port < 65536) return static_cast<unsigned short>(port);
    if (!process.running()) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return std::nullopt;
}

int run_command(const std::vector<std::string>& argv_in, std::string& output) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    std::vector<std::string> args = argv_in;
    auto argv = to_argv(args);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::array<char, 4096> buffer;
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buffer.data(), buffer.size())) > 0) output.append(buffer.data(), static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace knutpunkt::testing
