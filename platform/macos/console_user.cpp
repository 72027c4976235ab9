// ConsoleUserReader: SCDynamicStoreCopyConsoleUser.

#include "platform/macos/console_user.h"

#include <sys/types.h>

#include "platform/macos/console_sessions.h"

namespace tally::platform {

ConsoleUserReader::ConsoleUserReader()
    : store_(SCDynamicStoreCreate(kCFAllocatorDefault, CFSTR("tally-agent"), nullptr, nullptr)) {}

ConsoleUserReading ConsoleUserReader::read() const {
    ConsoleUserReading out;
    // The uid is written only when the store has one (console_sessions.h): preset, not 0.
    uid_t uid = static_cast<uid_t>(kUnsetConsoleUid);
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
    out.uid = console_uid(static_cast<std::uint32_t>(uid));
    return out;
}

}  // namespace tally::platform
