#include "async/supervise.hpp"

#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/system/system_error.hpp>

#include "logging/layer_log.hpp"

namespace tweetup::async {

void supervise(executor ex, task<void> work, std::string name, std::function<void()> on_exit) {
  asio::co_spawn(
      ex, std::move(work),
      [name = std::move(name), on_exit = std::move(on_exit)](std::exception_ptr failure) {
        if (failure) {
          try {
            std::rethrow_exception(failure);
          } catch (const boost::system::system_error& e) {
            if (e.code() == asio::error::operation_aborted) {
              layer_log("async")->debug("{} cancelled", name);
            } else {
              layer_log("async")->error("{} failed: {}", name, e.what());
            }
          } catch (const std::exception& e) {
            layer_log("async")->error("{} failed: {}", name, e.what());
          } catch (...) {
            layer_log("async")->error("{} failed with an unknown exception", name);
          }
        }
        if (on_exit) on_exit();
      });
}

}  // namespace tweetup::async
