// registry_property(): IORegistryEntryCreateCFProperty with a key from a C string.

#include "platform/macos/io_registry.h"

namespace tally::platform {

CfRef<CFTypeRef> registry_property(io_registry_entry_t entry, const char* key) {
    CfRef<CFStringRef> name(
        CFStringCreateWithCString(kCFAllocatorDefault, key, kCFStringEncodingUTF8));
    if (!name)
        return {};
    // options: "No options are currently defined" (IOKitLib.h), so 0.
    return CfRef<CFTypeRef>(
        IORegistryEntryCreateCFProperty(entry, name.get(), kCFAllocatorDefault, 0));
}

}  // namespace tally::platform
