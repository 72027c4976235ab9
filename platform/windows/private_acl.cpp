// Security descriptors from SDDL for the state directory, its files and the status pipe.

#include "platform/windows/private_acl.h"

#include <sddl.h>

#include <utility>

#include "platform/windows/win_error.h"

namespace tally::platform {

Result<SecurityAttributes> SecurityAttributes::from_sddl(const wchar_t* sddl) {
    SecurityAttributes sa;
    PSECURITY_DESCRIPTOR sd = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, nullptr))
        return make_error("io", last_error("security descriptor from SDDL"));
    sa.sa_.lpSecurityDescriptor = sd;
    return sa;
}

SecurityAttributes::SecurityAttributes(SecurityAttributes&& o) noexcept : sa_(o.sa_) {
    o.sa_.lpSecurityDescriptor = nullptr;
}

SecurityAttributes::~SecurityAttributes() {
    if (sa_.lpSecurityDescriptor != nullptr)
        LocalFree(sa_.lpSecurityDescriptor);
}

}  // namespace tally::platform
