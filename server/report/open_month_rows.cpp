// The open month's rows, made one at a time (see open_month_rows.h).

#include "server/report/open_month_rows.h"

#include <utility>

#include "server/report/device_explanation.h"

namespace tally::server {

namespace {

//! The row of device i; `row`'s strings keep their storage from the previous row.
//! Every field of device i's row but the device itself (copied or moved by the caller).
void fill_row(const OpenMonthParts& p, std::size_t i, DeviceReportRow& row) {
    p.outcome.device_into(i, p.devices[i], row.billing);
    const auto& b = row.billing;
    row.usage.active_minutes = b.active_minutes;
    row.usage.active_days = b.active_days;
    row.usage.heartbeats = b.heartbeats;
    row.usage.users = b.users;
    row.usage.evidence = p.evidence[i];
    row.active = b.active;
    row.inactive_span_heartbeats = p.inactive_beats[i];
    row.explanation = explain_device(b, p.inactive_beats[i]);
}

}  // namespace

OpenMonthRows::OpenMonthRows(OpenMonthParts parts) : parts_(std::move(parts)) {
    for (std::size_t i = 0; i < parts_.devices.size(); ++i) {
        listed_ += listed(i) ? 1 : 0;
    }
}

bool OpenMonthRows::listed(std::size_t i) const {
    // Paired before the month ended, or with heartbeats in it (a device can upload heartbeats
    // older than its pairing, e.g. after standalone mode).
    return parts_.devices[i].paired_at < parts_.month_end ||
           parts_.outcome.devices[i].heartbeats != 0;
}

void OpenMonthRows::each_device(const std::function<void(const DeviceReportRow&)>& fn) const {
    DeviceReportRow row;
    for (std::size_t i = 0; i < parts_.devices.size(); ++i) {
        if (listed(i)) {
            fill_row(parts_, i, row);
            if (parts_.whole.empty()) {
                parts_.devices[i].into(row.usage.device);
            } else {
                row.usage.device = parts_.whole[i];
            }
            fn(row);
        }
    }
}

void OpenMonthRows::each_user(const std::function<void(const billing::UserBilling&)>& fn) const {
    for (const auto& taken : taken_users_) {  // after take_devices
        fn(taken);
    }
    billing::UserBilling user;
    for (std::size_t i = 0; i < parts_.outcome.users.size(); ++i) {
        parts_.outcome.user_into(i, parts_.devices, user);
        fn(user);
    }
}

std::vector<DeviceReportRow> OpenMonthRows::take_devices() {
    // The users name their devices by position: made before the devices are moved out.
    taken_users_ = make_users();
    std::vector<DeviceReportRow> rows;
    rows.reserve(listed_);
    for (std::size_t i = 0; i < parts_.devices.size(); ++i) {
        if (!listed(i)) {
            continue;
        }
        DeviceReportRow row;
        fill_row(parts_, i, row);
        if (parts_.whole.empty()) {
            parts_.devices[i].into(row.usage.device);
        } else {
            row.usage.device = std::move(parts_.whole[i]);
        }
        rows.push_back(std::move(row));
    }
    parts_.devices.clear();
    parts_.whole.clear();
    parts_.outcome.devices.clear();
    listed_ = 0;
    return rows;
}

std::vector<billing::UserBilling> OpenMonthRows::make_users() {
    std::vector<billing::UserBilling> users;
    users.reserve(parts_.outcome.users.size());
    for (std::size_t i = 0; i < parts_.outcome.users.size(); ++i) {
        users.push_back(parts_.outcome.user(i, parts_.devices));
    }
    parts_.outcome.users.clear();
    return users;
}

std::vector<billing::UserBilling> OpenMonthRows::take_users() {
    if (!parts_.outcome.users.empty()) {
        taken_users_ = make_users();
    }
    return std::exchange(taken_users_, {});
}

}  // namespace tally::server
