// LinuxMachineFingerprint: hash of machine-id + DMI product UUID.

#include "platform/linux/linux_machine_fingerprint.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <string>

#include "pairing/bytes.h"
#include "pairing/crypto.h"

namespace tally::platform {
namespace {

//! The first line of a small file, trimmed and lower-cased; nullopt if unreadable or empty.
std::optional<std::string> read_identifier(const std::filesystem::path& p) {
    std::ifstream in(p);
    if (!in)
        return std::nullopt;
    std::string line;
    std::getline(in, line);
    std::string out;
    for (unsigned char c : line) {
        if (!std::isspace(c))
            out.push_back(static_cast<char>(std::tolower(c)));
    }
    if (out.empty())
        return std::nullopt;
    return out;
}

}  // namespace

LinuxMachineFingerprint::LinuxMachineFingerprint(std::filesystem::path machine_id_path,
                                                 std::filesystem::path product_uuid_path)
    : machine_id_path_(machine_id_path.empty() ? "/etc/machine-id" : std::move(machine_id_path)),
      product_uuid_path_(product_uuid_path.empty() ? "/sys/class/dmi/id/product_uuid"
                                                   : std::move(product_uuid_path)) {}

std::string LinuxMachineFingerprint::fingerprint() const {
    const auto machine_id = read_identifier(machine_id_path_);
    const auto product_uuid = read_identifier(product_uuid_path_);
    if (!machine_id && !product_uuid)
        return {};
    // Labelled fields so "a" + "bc" and "ab" + "c" cannot collide.
    std::string input = "tally-fingerprint-v1\n";
    input += "machine-id=" + machine_id.value_or("") + "\n";
    input += "product-uuid=" + product_uuid.value_or("") + "\n";
    return pairing::hex_encode(pairing::sha256(input));
}

std::string LinuxMachineFingerprint::describe() const {
    std::string out;
    if (read_identifier(machine_id_path_))
        out = "machine-id";
    if (read_identifier(product_uuid_path_))
        out += out.empty() ? "dmi-product-uuid" : "+dmi-product-uuid";
    return out.empty() ? "none" : out;
}

}  // namespace tally::platform
