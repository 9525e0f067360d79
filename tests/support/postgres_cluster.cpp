#include "postgres_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace knutpunkt::test_postgres {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("test PostgreSQL cluster: " + what);
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The user the server runs as: PostgreSQL refuses root, so a root test process hands it to
// `nobody`; anyone else runs it as themselves.
struct ServerUser {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

ServerUser server_user() {
  if (geteuid() != 0) return {};
  const passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr) {
    fail("running as root and there is no user `nobody` to run PostgreSQL as (initdb and postgres refuse root)");
  }
  return {true, nobody->pw_uid, nobody->pw_gid};
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("socket(): " + std::string(std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    fail("no free port on 127.0.0.1: " + std::string(std::strerror(errno)));
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// Runs `argv` as the server user with stdout and stderr into `output`; returns the exit status.
int run(const ServerUser& user, const std::vector<std::string>& argv, const fs::path& output) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const std::string output_path = output.string();
  const pid_t child = ::fork();
  if (child < 0) fail("fork(): " + std::string(std::strerror(errno)));
  if (child == 0) {
    if (user.switch_user && (::setgroups(0, nullptr) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0)) {
      ::_exit(126);
    }
    const int out = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out >= 0) {
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
      ::close(out);
    }
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) fail("waitpid(): " + std::string(std::strerror(errno)));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

fs::path server_binaries() {
  if (const char* configured = std::getenv("KNUTPUNKT_POSTGRES_BIN"); configured != nullptr && *configured != '\0') {
    const fs::path bin(configured);
    if (!fs::exists(bin / "initdb") || !fs::exists(bin / "pg_ctl") || !fs::exists(bin / "postgres")) {
      fail("KNUTPUNKT_POSTGRES_BIN=" + bin.string() + " holds no initdb, pg_ctl and postgres");
    }
    return bin;
  }
  std::vector<fs::path> found;
  std::error_code ignored;
  for (const auto& version : fs::directory_iterator("/usr/lib/postgresql", ignored)) {
    const fs::path bin = version.path() / "bin";
    if (fs::exists(bin / "initdb") && fs::exists(bin / "pg_ctl") && fs::exists(bin / "postgres")) found.push_back(bin);
  }
  if (found.empty()) {
    fail(
        "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb): install the Debian "
        "packages postgresql-15 and libpq-dev, or set KNUTPUNKT_POSTGRES_BIN to a folder holding initdb, "
        "pg_ctl and postgres");
  }
  // Version folders are numbers ("15", "16"): the longest, then the greatest, name is the newest.
  std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
    const auto va = a.parent_path().filename().string();
    const auto vb = b.parent_path().filename().string();
    return va.size() != vb.size() ? va.size() < vb.size() : va < vb;
  });
  return found.back();
}

struct PostgresCluster::State {
  ServerUser user;
  fs::path bin;
  fs::path root;  // the temporary folder: data/, the socket, logs
  fs::path data;
  fs::path server_log;
  int port = 0;
  bool running = false;
  int databases = 0;
  // The write end of a pipe whose reader, a shell started with the cluster, stops the server and
  // removes the folder when the pipe closes: when this process ends in any way, even a crash or a
  // kill that skips destructors.
  int reaper_pipe = -1;
  pid_t reaper = -1;
  mutable std::mutex mutex;

  fs::path command_log() const { return root / "command.log"; }

  [[noreturn]] void fail_with_logs(const std::string& what) const {
    fail(what + "\n--- command output ---\n" + read_text(command_log()) + "\n--- server log ---\n" +
         read_text(server_log));
  }

  std::vector<std::string> pg_ctl(const std::string& action) const {
    std::vector<std::string> argv = {(bin / "pg_ctl").string(), action, "-w", "-t", "60", "-D", data.string()};
    if (action != "stop") argv.insert(argv.end(), {"-l", server_log.string(), "-o", "-p " + std::to_string(port)});
    if (action != "start") argv.insert(argv.end(), {"-m", "fast"});
    return argv;
  }

  bool try_start() {
    if (run(user, pg_ctl("start"), command_log()) != 0) return false;
    running = true;
    return true;
  }

  void start_reaper() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) fail("pipe2(): " + std::string(std::strerror(errno)));
    // SIGQUIT is PostgreSQL's immediate shutdown; the postmaster ends its children and removes
    // postmaster.pid before it exits. The pid file is watched as well as the process, because an
    // orphaned postmaster may linger as a zombie where the init process does not reap; after 30 s
    // the folder goes regardless.
    const std::string script =
        "read _ignored; pid=$(head -n 1 \"$1/postmaster.pid\" 2>/dev/null); "
        "if [ -n \"$pid\" ]; then kill -QUIT \"$pid\" 2>/dev/null; n=0; "
        "while [ $n -lt 300 ] && [ -e \"$1/postmaster.pid\" ] && kill -0 \"$pid\" 2>/dev/null; "
        "do sleep 0.1; n=$((n + 1)); done; fi; rm -rf \"$2\"";
    const std::string data_path = data.string();
    const std::string root_path = root.string();
    const pid_t child = ::fork();
    if (child < 0) fail("fork(): " + std::string(std::strerror(errno)));
    if (child == 0) {
      ::dup2(fds[0], STDIN_FILENO);
      // Its own process group, so a Ctrl-C meant for the tests does not end the reaper first.
      ::setpgid(0, 0);
      ::execl("/bin/sh", "sh", "-c", script.c_str(), "reaper", data_path.c_str(), root_path.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[0]);
    reaper_pipe = fds[1];
    reaper = child;
  }

  void start_cluster() {
    bin = server_binaries();
    user = server_user();
    std::string pattern = (fs::temp_directory_path() / "knutpunkt-pg-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) fail("mkdtemp(): " + std::string(std::strerror(errno)));
    root = pattern;
    data = root / "data";
    server_log = root / "server.log";
    if (user.switch_user && ::chown(root.c_str(), user.uid, user.gid) != 0) {
      fail("chown of " + root.string() + ": " + std::string(std::strerror(errno)));
    }
    start_reaper();
    const std::vector<std::string> initdb = {
        (bin / "initdb").string(), "-D",        data.string(), "-U", "postgres", "--auth=trust",
        "--encoding=UTF8",         "--locale=C"};
    if (run(user, initdb, command_log()) != 0) fail_with_logs("initdb failed");
    // Only loopback TCP, the socket in our folder, and fsync on as in production.
    std::ofstream conf(data / "postgresql.conf", std::ios::app);
    conf << "\nlisten_addresses = '127.0.0.1'\n"
         << "unix_socket_directories = '" << root.string() << "'\n"
         << "fsync = on\n"
         << "max_connections = 200\n";
    conf.close();
    if (!conf) fail("cannot write " + (data / "postgresql.conf").string());
    // A free port can be taken between our probe and the server's bind: try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
      port = free_port();
      if (try_start()) return;
    }
    fail_with_logs("pg_ctl start failed");
  }

  void stop_reaper() {
    if (reaper_pipe < 0) return;
    ::close(reaper_pipe);
    reaper_pipe = -1;
    int status = 0;
    while (::waitpid(reaper, &status, 0) < 0 && errno == EINTR) {
    }
  }
};

PostgresCluster::PostgresCluster() : state_(std::make_unique<State>()) {
  try {
    state_->start_cluster();
  } catch (...) {
    state_->stop_reaper();
    throw;
  }
}

PostgresCluster::~PostgresCluster() {
  if (state_->running) run(state_->user, state_->pg_ctl("stop"), state_->command_log());
  // The reaper removes the folder (and stops the server, had the fast stop failed).
  state_->stop_reaper();
}

PostgresCluster& PostgresCluster::shared() {
  static std::mutex mutex;
  static std::unique_ptr<PostgresCluster> cluster;
  std::lock_guard lock(mutex);
  if (!cluster) cluster.reset(new PostgresCluster());
  return *cluster;
}

std::string PostgresCluster::create_database() {
  std::lock_guard lock(state_->mutex);
  if (!state_->running) fail("create_database() while the cluster is stopped");
  const std::string server = "host=127.0.0.1 port=" + std::to_string(state_->port) + " user=postgres";
  const std::string name = "knutpunkt_test_" + std::to_string(++state_->databases);
  PGconn* admin = PQconnectdb((server + " dbname=postgres connect_timeout=10").c_str());
  if (PQstatus(admin) != CONNECTION_OK) {
    const std::string error = PQerrorMessage(admin);
    PQfinish(admin);
    fail("cannot connect to the cluster: " + error);
  }
  PGresult* result = PQexec(admin, ("CREATE DATABASE " + name).c_str());
  const bool created = PQresultStatus(result) == PGRES_COMMAND_OK;
  const std::string error = PQerrorMessage(admin);
  PQclear(result);
  PQfinish(admin);
  if (!created) fail("CREATE DATABASE " + name + ": " + error);
  return server + " dbname=" + name;
}

void PostgresCluster::restart() {
  std::lock_guard lock(state_->mutex);
  if (run(state_->user, state_->pg_ctl("restart"), state_->command_log()) != 0) {
    state_->running = false;
    state_->fail_with_logs("pg_ctl restart failed");
  }
  state_->running = true;
}

void PostgresCluster::stop() {
  std::lock_guard lock(state_->mutex);
  if (!state_->running) return;
  if (run(state_->user, state_->pg_ctl("stop"), state_->command_log()) != 0) {
    state_->fail_with_logs("pg_ctl stop failed");
  }
  state_->running = false;
}

void PostgresCluster::start() {
  std::lock_guard lock(state_->mutex);
  if (state_->running) return;
  if (!state_->try_start()) state_->fail_with_logs("pg_ctl start failed (port " + std::to_string(state_->port) + ")");
}

bool PostgresCluster::running() const {
  std::lock_guard lock(state_->mutex);
  return state_->running;
}

int PostgresCluster::port() const {
  return state_->port;
}

const fs::path& PostgresCluster::data_directory() const {
  return state_->data;
}

}  // namespace knutpunkt::test_postgres
