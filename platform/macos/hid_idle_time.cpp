// read_hid_idle_seconds(): IOServiceGetMatchingServices("IOHIDSystem") → HIDIdleTime.

#include "platform/macos/hid_idle_time.h"

#include <array>

#include "platform/macos/hid_idle.h"
#include "platform/macos/io_registry.h"

namespace tally::platform {
namespace {

Result<std::int64_t> seconds_from_property(CFTypeRef value) {
    if (value == nullptr)
        return make_error("io", "IOHIDSystem has no HIDIdleTime property");
    if (CFGetTypeID(value) == CFNumberGetTypeID()) {
        std::int64_t ns = 0;
        if (!CFNumberGetValue(static_cast<CFNumberRef>(value), kCFNumberSInt64Type, &ns))
            return make_error("io", "HIDIdleTime does not fit a 64-bit integer");
        if (auto s = hid_idle_seconds(ns))
            return *s;
        return make_error("io", "HIDIdleTime is negative");
    }
    if (CFGetTypeID(value) == CFDataGetTypeID()) {
        auto data = static_cast<CFDataRef>(value);
        std::array<std::uint8_t, 8> bytes{};
        if (CFDataGetLength(data) != static_cast<CFIndex>(bytes.size()))
            return make_error("io", "HIDIdleTime data is not 8 bytes");
        CFDataGetBytes(data, CFRangeMake(0, static_cast<CFIndex>(bytes.size())), bytes.data());
        if (auto s = hid_idle_seconds_from_data(bytes))
            return *s;
        return make_error("io", "HIDIdleTime is negative");
    }
    return make_error("io", "HIDIdleTime is neither a number nor data");
}

}  // namespace

Result<std::int64_t> read_hid_idle_seconds() {
    io_iterator_t raw_iterator = IO_OBJECT_NULL;
    // MACH_PORT_NULL asks for the default main port (IOKitLib.h: "the NULL argument
    // indicates 'use the default'"), valid on every macOS release; kIOMasterPortDefault is
    // deprecated since macOS 12 and kIOMainPortDefault does not exist before it.
    // IOServiceGetMatchingServices consumes the matching dictionary's reference.
    const kern_return_t kr = IOServiceGetMatchingServices(
        MACH_PORT_NULL, IOServiceMatching("IOHIDSystem"), &raw_iterator);
    if (kr != KERN_SUCCESS)
        return make_error(
            "io", "IOServiceGetMatchingServices(IOHIDSystem) failed: " + std::to_string(kr));
    IoObject iterator(raw_iterator);
    IoObject entry(IOIteratorNext(iterator.get()));
    if (!entry)
        return make_error("io", "no IOHIDSystem service");
    auto value = registry_property(entry.get(), "HIDIdleTime");
    return seconds_from_property(value.get());
}

}  // namespace tally::platform
