// What the kernel holds for a process's TCP sockets, from /proc: the bytes that arrived and it
// has not read yet (a test can freeze a process with SIGSTOP and know for certain that bytes
// sent to it have arrived, rather than hoping a relay such as an IRC server passed them on), and
// the bytes it wrote that its peer has not acknowledged (a peer that stopped reading).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace tweetup::testing {

enum class tcp_queue { receive, send };

inline std::size_t tcp_queue_bytes(pid_t pid, tcp_queue which) {
  namespace fs = std::filesystem;
  const std::string proc = "/proc/" + std::to_string(pid);
  // Its sockets, by inode: each fd of a socket links to "socket:[INODE]".
  std::set<std::string> inodes;
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator(proc + "/fd", ec)) {
    const std::string target = fs::read_symlink(fd.path(), ec).string();
    if (!ec && target.starts_with("socket:[")) inodes.insert(target.substr(8, target.size() - 9));
  }
  // /proc/PID/net/tcp: "sl local remote st tx_queue:rx_queue tr:when retrnsmt uid timeout inode",
  // the queues in hex.
  std::size_t total = 0;
  for (const char* table : {"/net/tcp", "/net/tcp6"}) {
    std::ifstream in(proc + table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string sl, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> sl >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      const auto colon = queues.find(':');
      // A listening socket's queue counts connections waiting to be accepted, not bytes.
      constexpr const char* listening = "0A";
      if (colon == std::string::npos || state == listening || !inodes.contains(inode)) continue;
      total += which == tcp_queue::receive ? std::stoul(queues.substr(colon + 1), nullptr, 16)
                                           : std::stoul(queues.substr(0, colon), nullptr, 16);
    }
  }
  return total;
}

inline std::size_t unread_tcp_bytes(pid_t pid) {
  return tcp_queue_bytes(pid, tcp_queue::receive);
}

inline std::size_t unsent_tcp_bytes(pid_t pid) {
  return tcp_queue_bytes(pid, tcp_queue::send);
}

}  // namespace tweetup::testing
