#pragma once
// Use cases on device records: list a tenant's devices with their lifecycle state, the
// admin's billing corrections (assign or clear the user, set the type; DESIGN.md §5 rule 2),
// retire and revoke. Every state change goes through domain/device_lifecycle.h; the agent's
// own retire (ingest/retire_handler) uses retire() too.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/domain/device_lifecycle.h"
#include "server/store/device_store.h"

namespace tally::server::application {

struct DeviceView {
    Device device;
    domain::DeviceState state = domain::DeviceState::paired;
    std::optional<std::string> assigned_user;  //!< the admin's assignment (user key)
};

class DeviceAdmin {
  public:
    explicit DeviceAdmin(DeviceStore& store) : store_(store) {}

    Result<std::vector<DeviceView>> list(std::string_view tenant);
    //! The device; with `tenant`, only if it belongs to it (else not_found, so a tenant
    //! admin learns nothing about other tenants' device ids).
    Result<Device> find(const std::string& id, const std::optional<std::string>& tenant);
    Result<domain::DeviceState> state(const Device& device);

    //! nullopt clears the assignment. Returns the user key assigned.
    Result<std::optional<std::string>> assign_user(const Device& device,
                                                   const std::optional<std::string>& principal,
                                                   std::int64_t now);
    //! Errors: bad_request (not business|personal), db.
    Result<void> set_type(const Device& device, std::string_view type, std::int64_t now);
    //! Through the state machine: retiring an ended device keeps its first end.
    Result<domain::Transition> retire(const Device& device, std::string_view reason,
                                      std::int64_t now);
    //! Errors: device_retired (already retired: nothing to revoke), db.
    Result<domain::Transition> revoke(const Device& device, std::int64_t now);

  private:
    Result<domain::Transition> end(const Device& device, domain::DeviceEvent event,
                                   std::string_view reason, std::int64_t now);

    DeviceStore& store_;
};

}  // namespace tally::server::application
