// Stub for syntax checks only (see ../README.md): os_log names platform/macos uses. The real
// macros also require a string-literal format; this stub checks that with the "" "" trick.
#pragma once

typedef struct os_log_s* os_log_t;

extern "C" {
os_log_t os_log_create(const char* subsystem, const char* category);
void os_release(void* object);
void tally_stub_os_log(os_log_t log, const char* format, ...);
}

#define os_log(log, format, ...) tally_stub_os_log(log, "" format "", ##__VA_ARGS__)
#define os_log_info(log, format, ...) tally_stub_os_log(log, "" format "", ##__VA_ARGS__)
