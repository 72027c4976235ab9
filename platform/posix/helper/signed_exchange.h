#pragma once
// The helper's one network operation, "send this signed request" (pair, upload, retire):
// load the device key (pairing: make it first when asked), fill the pairing request's public
// key, sign the exact body bytes (agent/sign/sign_request.h), send with libcurl, answer the
// result with the public key. One per helper run.

#include <filesystem>

#include "platform/posix/helper/file_key_store.h"
#include "platform/posix/helper_frame.h"

namespace tally::platform {

//! `request`: the frame after its "exchange" op field. The answer frame ({"ok", …} or
//! {"err", code, message}).
Frame signed_exchange(const Frame& request, FileKeyStore& keys,
                      const std::filesystem::path& state_dir);

}  // namespace tally::platform
