// What the core adds to a platform's parts (see agent/interfaces/platform.h).

#include <memory>

#include "agent/interfaces/platform.h"
#include "agent/sign/key_signing_sender.h"

namespace tally::agent {

void complete_platform_parts(PlatformParts& parts) {
    if (!parts.sender && parts.keys && parts.transport)
        parts.sender = std::make_unique<KeySigningSender>(*parts.keys, *parts.transport);
}

}  // namespace tally::agent
