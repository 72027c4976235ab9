#pragma once
// I/O Kit objects and registry properties. An io_object_t is released with IOObjectRelease;
// IORegistryEntryCreateCFProperty follows the Create Rule (IOKitLib.h).

#include <IOKit/IOKitLib.h>

#include "platform/macos/cf_ref.h"

namespace tally::platform {

//! Owns one I/O Kit object (service, iterator, registry entry).
class IoObject {
  public:
    IoObject() = default;
    explicit IoObject(io_object_t object) : object_(object) {}
    ~IoObject() {
        if (object_ != IO_OBJECT_NULL)
            IOObjectRelease(object_);
    }
    IoObject(const IoObject&) = delete;
    IoObject& operator=(const IoObject&) = delete;
    io_object_t get() const { return object_; }
    explicit operator bool() const { return object_ != IO_OBJECT_NULL; }

  private:
    io_object_t object_ = IO_OBJECT_NULL;
};

//! A registry entry's property (IORegistryEntryCreateCFProperty), owned; empty if absent.
CfRef<CFTypeRef> registry_property(io_registry_entry_t entry, const char* key);

}  // namespace tally::platform
