// Stub for syntax checks only (see ../README.md): sysctl(3); glibc no longer has the header.
#pragma once
#include <stddef.h>
extern "C" int sysctlbyname(const char* name, void* oldp, size_t* oldlenp, void* newp,
                            size_t newlen);
