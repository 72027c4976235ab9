#pragma once
// The user at the console, from the System Configuration dynamic store
// (SCDynamicStoreCopyConsoleUser). It names the primary console's user only: with fast
// user switching, the user in front; "loginwindow" while the login window is in front.

#include <cstdint>
#include <optional>
#include <string>

#include <SystemConfiguration/SystemConfiguration.h>

#include "platform/macos/cf_ref.h"

namespace tally::platform {

struct ConsoleUserReading {
    std::optional<std::string> user;   //!< nullopt: nobody logged in at the console
    std::optional<std::uint32_t> uid;  //!< with `user`
    std::string error;                 //!< non-empty when the store could not be read
};

class ConsoleUserReader {
  public:
    //! Opens one dynamic store session for the agent's lifetime (SCDynamicStoreCreate);
    //! when that fails, each read uses a temporary session (store NULL).
    ConsoleUserReader();
    ConsoleUserReading read() const;

  private:
    CfRef<SCDynamicStoreRef> store_;
};

}  // namespace tally::platform
