#pragma once
// Real processes for integration tests: the gateway and the partner simulators run as their own
// binaries on loopback with ephemeral ports, exactly as in production (userver's habit).
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace knutpunkt::testing {

class ChildProcess {
 public:
  // Starts `program` with `args`; stdout and stderr go to `log_prefix`.out / .err. Once the
  // child has ended, a sanitizer report in its .err fails the running test (sanitizer builds: the
  // gateway and the simulators are sanitized too, and a leak is only reported when they exit).
  ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
               const std::filesystem::path& log_prefix);
  ~ChildProcess();  // SIGTERM, then SIGKILL if it lingers
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool running();
  void terminate();  // SIGTERM and wait
  void kill();       // SIGKILL and wait
  std::optional<int> exit_code() const { return exit_code_; }
  pid_t pid() const { return pid_; }

 private:
  void reap(std::chrono::milliseconds limit);
  void report_sanitizer_findings() const;
  pid_t pid_ = -1;
  std::filesystem::path err_path_;
  std::optional<int> exit_code_;
};

// Polls until the file exists and holds a port number, or the process died / time ran out.
// A port the kernel considers free now (bound, read back, released): for a process whose port
// others must know before it starts (partners calling the gateway back).
unsigned short free_loopback_port();

std::optional<unsigned short> wait_for_port_file(const std::filesystem::path& file, ChildProcess& process,
                                                 std::chrono::milliseconds limit = std::chrono::seconds{20});

// Runs a command to completion, capturing stdout; returns the exit code.
int run_command(const std::vector<std::string>& argv, std::string& output);

}  // namespace knutpunkt::testing
