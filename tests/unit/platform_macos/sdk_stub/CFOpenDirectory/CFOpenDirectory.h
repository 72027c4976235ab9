// Stub for syntax checks only (see ../README.md): the CFOpenDirectory names platform/macos uses.
#pragma once
#include <CoreFoundation/CoreFoundation.h>

typedef struct __ODNode* ODNodeRef;
typedef struct __ODRecord* ODRecordRef;
typedef struct __ODSession* ODSessionRef;
typedef CFStringRef ODRecordType;
typedef CFStringRef ODAttributeType;
typedef uint32_t ODNodeType;
enum { kODNodeTypeLocalNodes = 0x2200 };

extern "C" {
extern ODSessionRef kODSessionDefault;
extern const ODRecordType kODRecordTypeUsers;
extern const ODAttributeType kODAttributeTypeOriginalNodeName;

ODNodeRef ODNodeCreateWithNodeType(CFAllocatorRef allocator, ODSessionRef session,
                                   ODNodeType nodeType, CFErrorRef* error);
ODRecordRef ODNodeCopyRecord(ODNodeRef node, ODRecordType recordType, CFStringRef recordName,
                             CFTypeRef attributes, CFErrorRef* error);
CFArrayRef ODRecordCopyValues(ODRecordRef record, ODAttributeType attribute, CFErrorRef* error);
}
