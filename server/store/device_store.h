#pragma once
// Device records: lookup, lifecycle writes (through domain/device_lifecycle.h) and the admin's
// billing corrections (DESIGN.md §5 rule 2). One of the narrow store interfaces (store.h lists
// them); SqliteStore implements them all and callers take only the one they need. Implementations
// are safe to call from several threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/store/billing_records.h"
#include "server/store/records.h"

namespace tally::server {

class DeviceStore {
  public:
    virtual ~DeviceStore() = default;

    virtual Result<std::optional<Device>> find_device(std::string_view device_id) = 0;
    virtual Result<std::vector<Device>> list_devices(std::string_view tenant) = 0;
    //! Idempotent: retiring a retired device keeps the first retirement time. Callers ask
    //! domain::transition() first.
    virtual Result<void> retire_device(std::string_view device_id, std::string_view reason,
                                       std::int64_t now) = 0;
    //! Gaps, forks, chain breaks, held heartbeats and revocation of one device.
    virtual Result<DeviceEvidence> device_evidence(std::string_view device_id) = 0;
    //! nullopt clears the admin assignment (the primary user is computed again).
    virtual Result<void> assign_device_user(std::string_view device_id,
                                            const std::optional<std::string>& user_key,
                                            std::int64_t now) = 0;
    //! Dated (`now`): reports of months that ended before `now` keep the old type.
    virtual Result<void> set_device_type(std::string_view device_id, std::string_view type,
                                         std::int64_t now) = 0;
    //! The current admin assignment of each of the tenant's devices (device id, user key).
    virtual Result<std::vector<AssignmentFact>> device_assignments(std::string_view tenant) = 0;
};

}  // namespace tally::server
