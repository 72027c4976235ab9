// MachineGuid + SMBIOS UUID (see windows_machine_fingerprint.h).

#include "platform/windows/windows_machine_fingerprint.h"

#include <windows.h>

#include <cctype>
#include <cstdio>
#include <vector>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "platform/windows/win_error.h"

namespace tally::platform {
namespace {

constexpr std::size_t kRawHeader = 8;  // RawSMBIOSData: 4 version bytes + DWORD length

std::optional<std::string> machine_guid() {
    wchar_t buf[64] = {0};
    DWORD size = sizeof buf;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Cryptography", L"MachineGuid",
                     RRF_RT_REG_SZ, nullptr, buf, &size) != ERROR_SUCCESS)
        return std::nullopt;
    std::string out;
    for (char c : narrow(buf))
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (out.empty())
        return std::nullopt;
    return out;
}

std::optional<std::string> firmware_uuid() {
    const DWORD rsmb = 'R' << 24 | 'S' << 16 | 'M' << 8 | 'B';
    const UINT size = GetSystemFirmwareTable(rsmb, 0, nullptr, 0);
    if (size == 0)
        return std::nullopt;
    std::vector<std::uint8_t> table(size);
    if (GetSystemFirmwareTable(rsmb, 0, table.data(), size) != size)
        return std::nullopt;
    return smbios_system_uuid(table);
}

std::string format_uuid(const std::uint8_t* u) {
    char text[37];
    std::snprintf(text, sizeof text,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[3],
                  u[2], u[1], u[0], u[5], u[4], u[7], u[6], u[8], u[9], u[10], u[11], u[12], u[13],
                  u[14], u[15]);
    return text;
}

}  // namespace

std::optional<std::string> smbios_system_uuid(std::span<const std::uint8_t> rsmb) {
    if (rsmb.size() < kRawHeader)
        return std::nullopt;
    const std::size_t length = rsmb[4] | rsmb[5] << 8 | rsmb[6] << 16 | std::size_t(rsmb[7]) << 24;
    const std::size_t end = std::min(rsmb.size(), kRawHeader + length);
    std::size_t p = kRawHeader;
    while (p + 4 <= end) {
        const std::uint8_t type = rsmb[p], formatted = rsmb[p + 1];
        if (formatted < 4 || p + formatted > end)
            return std::nullopt;
        if (type == 1 && formatted >= 0x19) {
            const std::uint8_t* u = rsmb.data() + p + 8;
            bool zero = true, ones = true;
            for (int i = 0; i < 16; ++i) {
                zero = zero && u[i] == 0;
                ones = ones && u[i] == 0xFF;
            }
            if (zero || ones)
                return std::nullopt;
            return format_uuid(u);
        }
        if (type == 127)
            break;
        // Skip the formatted area, then the strings (ended by a double NUL).
        std::size_t q = p + formatted;
        while (q + 1 < end && !(rsmb[q] == 0 && rsmb[q + 1] == 0))
            ++q;
        p = q + 2;
    }
    return std::nullopt;
}

std::string windows_fingerprint_of(const std::optional<std::string>& guid,
                                   const std::optional<std::string>& uuid) {
    if (!guid && !uuid)
        return {};
    std::string input = "tally-fingerprint-v1\n";
    input += "machine-guid=" + guid.value_or("") + "\n";
    input += "smbios-uuid=" + uuid.value_or("") + "\n";
    return pairing::hex_encode(pairing::sha256(input));
}

std::string WindowsMachineFingerprint::fingerprint() const {
    return windows_fingerprint_of(machine_guid(), firmware_uuid());
}

std::string WindowsMachineFingerprint::describe() const {
    std::string out;
    if (machine_guid())
        out = "machine-guid";
    if (firmware_uuid())
        out += out.empty() ? "smbios-uuid" : "+smbios-uuid";
    return out.empty() ? "none" : out;
}

}  // namespace tally::platform
