#pragma once
// A SECURITY_ATTRIBUTES carrying a security descriptor made from SDDL (LocalFree'd on exit).

#include <windows.h>

#include <string>

#include "pairing/result.h"

namespace tally::platform {

class SecurityAttributes {
  public:
    static Result<SecurityAttributes> from_sddl(const wchar_t* sddl);
    SecurityAttributes(SecurityAttributes&& o) noexcept;
    SecurityAttributes& operator=(SecurityAttributes&&) = delete;
    SecurityAttributes(const SecurityAttributes&) = delete;
    ~SecurityAttributes();
    SECURITY_ATTRIBUTES* get() { return &sa_; }
    PSECURITY_DESCRIPTOR descriptor() const { return sa_.lpSecurityDescriptor; }

  private:
    SecurityAttributes() = default;
    SECURITY_ATTRIBUTES sa_{sizeof(SECURITY_ATTRIBUTES), nullptr, FALSE};
};

}  // namespace tally::platform
