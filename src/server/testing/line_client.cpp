// server/testing/line_client.cpp: POSIX sockets with poll() timeouts.
#include "server/testing/line_client.hpp"

#include <array>
#include <cstddef>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cqlist::server::testing {

namespace {

std::size_t content_length(std::string_view head) {
  std::string lower;
  for (char c : head) {
    lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  std::size_t pos = lower.find("\r\ncontent-length:");
  if (pos == std::string::npos) {
    return 0;
  }
  return std::stoul(lower.substr(pos + 17));
}

}  // namespace

LineClient::LineClient(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return;
  }
  fd_ = fd;
}

LineClient::~LineClient() {
  close();
}

void LineClient::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void LineClient::send(std::string_view bytes) {
  while (fd_ >= 0 && !bytes.empty()) {
    ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) {
      return;
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
}

bool LineClient::fill(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0 || peer_closed_) {
    return false;
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) {
    return false;
  }
  pollfd watched{fd_, POLLIN, 0};
  if (::poll(&watched, 1, static_cast<int>(left.count())) <= 0) {
    return false;
  }
  std::array<char, 65536> chunk{};
  ssize_t count = ::recv(fd_, chunk.data(), chunk.size(), 0);
  if (count <= 0) {
    peer_closed_ = true;
    return false;
  }
  buffer_.append(chunk.data(), static_cast<std::size_t>(count));
  return true;
}

std::string LineClient::read_reply(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::size_t start = 0;
    while (true) {
      std::size_t end = buffer_.find("\r\n", start);
      if (end == std::string::npos) {
        break;
      }
      std::string_view line(buffer_.data() + start, end - start);
      if (line.size() < 4 || line[3] != '-') {
        std::string reply = buffer_.substr(0, end + 2);
        buffer_.erase(0, end + 2);
        return reply;
      }
      start = end + 2;
    }
    if (!fill(deadline)) {
      return "";
    }
  }
}

std::string LineClient::read_until(std::string_view marker, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::size_t at = buffer_.find(marker);
    if (at != std::string::npos) {
      std::string text = buffer_.substr(0, at + marker.size());
      buffer_.erase(0, at + marker.size());
      return text;
    }
    if (!fill(deadline)) {
      return "";
    }
  }
}

std::string LineClient::read_http_response(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::size_t head_end = buffer_.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      std::size_t total = head_end + 4 + content_length(buffer_.substr(0, head_end + 2));
      if (buffer_.size() >= total) {
        std::string response = buffer_.substr(0, total);
        buffer_.erase(0, total);
        return response;
      }
    }
    if (!fill(deadline)) {
      return "";
    }
  }
}

bool LineClient::closed_by_peer(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!peer_closed_) {
    std::size_t before = buffer_.size();
    if (!fill(deadline)) {
      break;
    }
    if (buffer_.size() != before) {
      return false;  // the peer said something instead of closing
    }
  }
  return peer_closed_;
}

}  // namespace cqlist::server::testing
