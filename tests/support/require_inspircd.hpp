// For the tests that run a real InspIRCd: fail, saying how to get it, when the machine has none.
// scripts/test installs the package, so a missing server is a broken setup, never a pass.
#pragma once

#include <doctest/doctest.h>

#include "support/inspircd.hpp"

namespace tweetup::testing {

inline void require_inspircd() {
  REQUIRE_MESSAGE(inspircd_server::installed(),
                  "inspircd is not installed: scripts/test installs it (apt-get install inspircd)");
}

}  // namespace tweetup::testing
