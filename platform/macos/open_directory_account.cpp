// lookup_account_origin(): ODNodeCreateWithNodeType(kODNodeTypeLocalNodes) →
// ODNodeCopyRecord(kODRecordTypeUsers) → ODRecordCopyValues(kODAttributeTypeOriginalNodeName).

#include "platform/macos/open_directory_account.h"

#include <CFOpenDirectory/CFOpenDirectory.h>

#include "platform/macos/cf_ref.h"

namespace tally::platform {

std::optional<AccountOrigin> lookup_account_origin(const std::string& name) {
    CFErrorRef error = nullptr;
    CfRef<ODNodeRef> node(ODNodeCreateWithNodeType(kCFAllocatorDefault, kODSessionDefault,
                                                   kODNodeTypeLocalNodes, &error));
    CfRef<CFErrorRef> node_error(error);
    if (!node)
        return std::nullopt;
    CfRef<CFStringRef> record_name(
        CFStringCreateWithCString(kCFAllocatorDefault, name.c_str(), kCFStringEncodingUTF8));
    if (!record_name)
        return std::nullopt;
    // "An array of directory attributes to be copied in addition to the record": the one
    // attribute needed.
    const void* wanted[] = {kODAttributeTypeOriginalNodeName};
    CfRef<CFArrayRef> attributes(
        CFArrayCreate(kCFAllocatorDefault, wanted, 1, &kCFTypeArrayCallBacks));
    error = nullptr;
    CfRef<ODRecordRef> record(ODNodeCopyRecord(node.get(), kODRecordTypeUsers, record_name.get(),
                                               attributes.get(), &error));
    CfRef<CFErrorRef> record_error(error);
    if (!record) {
        // NULL without an error: no such record in the local node, a network account. With
        // an error the answer is unknown: keep the POSIX one, ask again next sample.
        if (record_error)
            return std::nullopt;
        return account_origin(name, false, std::nullopt);
    }
    error = nullptr;
    CfRef<CFArrayRef> values(
        ODRecordCopyValues(record.get(), kODAttributeTypeOriginalNodeName, &error));
    CfRef<CFErrorRef> values_error(error);
    std::optional<std::string> original_node;
    if (values && CFArrayGetCount(values.get()) > 0) {
        const void* first = CFArrayGetValueAtIndex(values.get(), 0);
        if (first != nullptr && CFGetTypeID(first) == CFStringGetTypeID())
            original_node = utf8_string(static_cast<CFStringRef>(first));
    }
    return account_origin(name, true, original_node);
}

}  // namespace tally::platform
