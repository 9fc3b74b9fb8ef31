#include "async/supervise.hpp"

#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/system/system_error.hpp>

#include "async/async_log.hpp"

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
              async_log()->debug("{} cancelled", name);
            } else {
              async_log()->error("{} failed: {}", name, e.what());
            }
          } catch (const std::exception& e) {
            async_log()->error("{} failed: {}", name, e.what());
          } catch (...) {
            async_log()->error("{} failed with an unknown exception", name);
          }
        }
        if (on_exit) on_exit();
      });
}

}  // namespace tweetup::async
