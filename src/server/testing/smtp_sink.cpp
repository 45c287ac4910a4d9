// server/testing/smtp_sink.cpp: spawning smtp-sink, reading its dumps and counters.
#include "server/testing/smtp_sink.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace cqlist::server::testing {

namespace {

constexpr const char* kProgram = "/usr/sbin/smtp-sink";

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The kernel picks a port; smtp-sink binds it a moment later (a small race tests accept).
std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  socklen_t length = sizeof address;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// Listening, seen in /proc/net/tcp ("0100007F:PORT" in state 0A), so no probe connection
// disturbs the session counters.
bool listening(std::uint16_t port) {
  char local[32];
  std::snprintf(local, sizeof local, "0100007F:%04X", static_cast<unsigned>(port));
  std::istringstream table(read_text("/proc/net/tcp"));
  std::string line;
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local_address, remote_address, state;
    fields >> slot >> local_address >> remote_address >> state;
    if (local_address == local && state == "0A") {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<SmtpSink>> SmtpSink::start(const std::vector<std::string>& options) {
  if (::access(kProgram, X_OK) != 0) {
    return fail(Errc::not_found, "smtp-sink is missing; install the postfix package");
  }
  std::unique_ptr<SmtpSink> sink(new SmtpSink());
  char directory_template[] = "/tmp/cqlist-smtp-sink-XXXXXX";
  if (::mkdtemp(directory_template) == nullptr) {
    return fail(Errc::io, "cannot create a temporary directory");
  }
  sink->directory_ = directory_template;
  ::chmod(directory_template, 0777);  // smtp-sink writes as "nobody" when started as root
  std::filesystem::create_directory(sink->directory_ + "/dump");
  ::chmod((sink->directory_ + "/dump").c_str(), 0777);
  sink->port_ = free_port();

  std::vector<std::string> arguments = {kProgram, "-c", "-d", sink->directory_ + "/dump/msg."};
  if (::geteuid() == 0) {
    arguments.insert(arguments.end(), {"-u", "nobody"});
  }
  arguments.insert(arguments.end(), options.begin(), options.end());
  arguments.push_back("127.0.0.1:" + std::to_string(sink->port_));
  arguments.push_back("64");
  std::vector<char*> argv;
  for (std::string& argument : arguments) {
    argv.push_back(argument.data());
  }
  argv.push_back(nullptr);

  std::string counters = sink->directory_ + "/counters";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, counters.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int spawned = ::posix_spawn(&sink->pid_, kProgram, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    sink->pid_ = -1;
    return fail(Errc::io, "cannot start smtp-sink");
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!listening(sink->port_)) {
    int status = 0;
    if (::waitpid(sink->pid_, &status, WNOHANG) == sink->pid_) {
      sink->pid_ = -1;
      return fail(Errc::io,
                  "smtp-sink exited at start-up: " + read_text(sink->directory_ + "/counters"));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return fail(Errc::temporary, "smtp-sink did not start listening within 5 seconds");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return sink;
}

SmtpSink::~SmtpSink() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

std::vector<std::string> SmtpSink::messages() const {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(directory_ + "/dump")) {
    out.push_back(read_text(entry.path()));
  }
  return out;
}

int SmtpSink::finished_sessions() const {
  std::string text = read_text(directory_ + "/counters");
  std::size_t at = text.rfind("sess=");
  if (at == std::string::npos) {
    return -1;
  }
  return std::atoi(text.c_str() + at + 5);
}

int SmtpSink::wait_for_finished_sessions(int count) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int seen = finished_sessions();
  while (seen < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    seen = finished_sessions();
  }
  return seen;
}

}  // namespace cqlist::server::testing
