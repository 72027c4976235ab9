// POST /v1/retire (see retire_handler.h).

#include "server/ingest/retire_handler.h"

#include <string>

#include "pairing/messages.h"
#include "server/application/device_admin.h"
#include "server/ingest/device_auth.h"

namespace tally::server {

Result<std::string> handle_retire(DeviceStore& store, std::string_view device_id,
                                  std::string_view signature, std::string_view body,
                                  std::int64_t now) {
    auto device = authenticate_device(store, device_id, signature, body);
    if (!device) {
        return device.error();
    }
    auto req = pairing::decode_retire_request(body);
    if (!req) {
        return make_error("bad_request", "retire request: " + req.error().message);
    }
    if (req->device_id != device->id) {
        return make_error("bad_request",
                          "device_id in the body does not match the Tally-Device header");
    }
    if (auto r = application::DeviceAdmin(store).retire(*device, req->reason, now); !r) {
        return r.error();
    }
    return device->id;
}

}  // namespace tally::server
