// ConsoleUserReader: SCDynamicStoreCopyConsoleUser.

#include "platform/macos/console_user.h"

#include <sys/types.h>

namespace tally::platform {

ConsoleUserReader::ConsoleUserReader()
    : store_(SCDynamicStoreCreate(kCFAllocatorDefault, CFSTR("tally-agent"), nullptr, nullptr)) {}

ConsoleUserReading ConsoleUserReader::read() const {
    ConsoleUserReading out;
    uid_t uid = 0;
    gid_t gid = 0;
    // NULL store: "use a temporary session" (SCDynamicStoreCopyConsoleUser documentation).
    CfRef<CFStringRef> name(SCDynamicStoreCopyConsoleUser(store_.get(), &uid, &gid));
    if (!name) {
        // NULL means "no user is logged in or an error occurred"; SCError() tells which:
        // kSCStatusNoKey is the store having no console user entry.
        const int status = SCError();
        if (status != kSCStatusOK && status != kSCStatusNoKey)
            out.error = std::string("SCDynamicStoreCopyConsoleUser: ") + SCErrorString(status);
        return out;
    }
    out.user = utf8_string(name.get());
    if (!out.user) {
        out.error = "SCDynamicStoreCopyConsoleUser: user name is not UTF-8";
        return out;
    }
    out.uid = static_cast<std::uint32_t>(uid);
    return out;
}

}  // namespace tally::platform
