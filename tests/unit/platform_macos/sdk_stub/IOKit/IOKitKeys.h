// Stub for syntax checks only (see ../README.md).
#pragma once
#define kIOPlatformUUIDKey "IOPlatformUUID"
