#pragma once
// Ownership of Core Foundation objects. The Create Rule: an object from a function whose
// name contains "Create" or "Copy" is owned by the caller and must be released with
// CFRelease (Apple, "Memory Management Programming Guide for Core Foundation", "Ownership
// Policy"). Header-only: used by the agent and by the crypto backend alike.

#include <CoreFoundation/CoreFoundation.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tally::platform {

//! Owns one Core Foundation reference (nullptr allowed).
template <class Ref>
class CfRef {
  public:
    CfRef() = default;
    //! Takes over a reference the caller owns (from a Create/Copy function).
    explicit CfRef(Ref ref) : ref_(ref) {}
    ~CfRef() { reset(); }
    CfRef(const CfRef&) = delete;
    CfRef& operator=(const CfRef&) = delete;
    CfRef(CfRef&& other) noexcept : ref_(std::exchange(other.ref_, nullptr)) {}
    CfRef& operator=(CfRef&& other) noexcept {
        if (this != &other) {
            reset();
            ref_ = std::exchange(other.ref_, nullptr);
        }
        return *this;
    }
    Ref get() const { return ref_; }
    explicit operator bool() const { return ref_ != nullptr; }
    void reset() {
        if (ref_ != nullptr)
            CFRelease(ref_);
        ref_ = nullptr;
    }

  private:
    Ref ref_ = nullptr;
};

//! UTF-8 copy of a CFString; nullopt when `s` is null or not convertible.
inline std::optional<std::string> utf8_string(CFStringRef s) {
    if (s == nullptr)
        return std::nullopt;
    // The worst case in bytes, without the terminating NUL.
    const CFIndex max =
        CFStringGetMaximumSizeForEncoding(CFStringGetLength(s), kCFStringEncodingUTF8);
    if (max == kCFNotFound)
        return std::nullopt;
    std::vector<char> buffer(static_cast<std::size_t>(max) + 1);
    if (!CFStringGetCString(s, buffer.data(), static_cast<CFIndex>(buffer.size()),
                            kCFStringEncodingUTF8)) {
        return std::nullopt;
    }
    return std::string(buffer.data());
}

}  // namespace tally::platform
