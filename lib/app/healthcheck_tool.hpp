// `tweetup healthcheck`: asks the running bot's ops endpoint (http.listen) for /healthz, for a
// container HEALTHCHECK in an image without curl. Blocks for at most `timeout`.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

namespace tweetup {

// GETs http://<http.listen>/healthz (a wildcard listen address is asked on loopback) and prints
// the body on `out`. Returns 0 on 200; 1 on any other status, a failure to connect or a
// timeout, with a one-line reason on `err`; 2 when `listen` is empty or not host:port.
int run_healthcheck(const std::string& listen, std::ostream& out, std::ostream& err,
                    std::chrono::milliseconds timeout = std::chrono::seconds(3));

}  // namespace tweetup
