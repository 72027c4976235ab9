// Stub for syntax checks only (see ../README.md): the dynamic store names platform/macos uses.
#pragma once
#include <CoreFoundation/CoreFoundation.h>
#include <sys/types.h>

typedef const struct __SCDynamicStore* SCDynamicStoreRef;
typedef struct {
    CFIndex version;
    void* info;
} SCDynamicStoreContext;
typedef void (*SCDynamicStoreCallBack)(SCDynamicStoreRef store, CFArrayRef changedKeys, void* info);
enum { kSCStatusOK = 0, kSCStatusNoKey = 1004 };

extern "C" {
SCDynamicStoreRef SCDynamicStoreCreate(CFAllocatorRef allocator, CFStringRef name,
                                       SCDynamicStoreCallBack callout,
                                       SCDynamicStoreContext* context);
CFStringRef SCDynamicStoreCopyConsoleUser(SCDynamicStoreRef store, uid_t* uid, gid_t* gid);
int SCError(void);
const char* SCErrorString(int status);
}
