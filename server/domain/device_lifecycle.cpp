// The device state machine (see device_lifecycle.h).

#include "server/domain/device_lifecycle.h"

#include <array>
#include <string>

#include "server/domain/error_code.h"

namespace tally::server::domain {
namespace {

constexpr std::array kStates = {DeviceState::paired, DeviceState::suspected_clone,
                                DeviceState::retired, DeviceState::revoked};

Error refused(DeviceState from, DeviceEvent event, std::string_view id) {
    const auto code =
        from == DeviceState::revoked ? ErrorCode::device_revoked : ErrorCode::device_retired;
    // An upload's refusal keeps the sentence agents have always received.
    auto message = "device " + std::string(id) + " was " + std::string(to_string(from));
    if (event != DeviceEvent::upload) {
        message += ": " + std::string(to_string(event)) + " refused";
    }
    return make_error(code, std::move(message));
}

Result<Transition> from_live(DeviceState from, DeviceEvent event) {
    switch (event) {
        case DeviceEvent::upload:
            return Transition{from, false};
        case DeviceEvent::flag_clone:
            return Transition{DeviceState::suspected_clone, from != DeviceState::suspected_clone};
        case DeviceEvent::retire:
            return Transition{DeviceState::retired, true};
        case DeviceEvent::revoke:
            return Transition{DeviceState::revoked, true};
    }
    return Transition{from, false};
}

}  // namespace

std::string_view to_string(DeviceState state) {
    switch (state) {
        case DeviceState::paired:
            return "paired";
        case DeviceState::suspected_clone:
            return "suspected_clone";
        case DeviceState::retired:
            return "retired";
        case DeviceState::revoked:
            return "revoked";
    }
    return "retired";
}

std::optional<DeviceState> parse_device_state(std::string_view text) {
    for (const auto s : kStates) {
        if (text == to_string(s)) {
            return s;
        }
    }
    return std::nullopt;
}

std::string_view to_string(DeviceEvent event) {
    switch (event) {
        case DeviceEvent::upload:
            return "upload";
        case DeviceEvent::flag_clone:
            return "flag_clone";
        case DeviceEvent::retire:
            return "retire";
        case DeviceEvent::revoke:
            return "revoke";
    }
    return "upload";
}

DeviceState state_of(const Device& device, bool revoked) {
    if (device.retired_at) {
        return revoked ? DeviceState::revoked : DeviceState::retired;
    }
    return device.suspected_clone ? DeviceState::suspected_clone : DeviceState::paired;
}

Result<Transition> transition(DeviceState from, DeviceEvent event, std::string_view device_id) {
    if (from == DeviceState::paired || from == DeviceState::suspected_clone) {
        return from_live(from, event);
    }
    // An ended device: retiring again keeps its first end; revoking a revoked one too.
    if (event == DeviceEvent::retire ||
        (event == DeviceEvent::revoke && from == DeviceState::revoked)) {
        return Transition{from, false};
    }
    return refused(from, event, device_id);
}

Transition after_fork(DeviceState from, std::string_view device_id) {
    auto next = transition(from, DeviceEvent::flag_clone, device_id);
    if (next) {
        return *next;
    }
    // Refused only for an ended device (retired, revoked): it takes no uploads and is not
    // billed, so a suspected clone changes nothing; the fork row is the record of it.
    return Transition{from, false};
}

}  // namespace tally::server::domain
