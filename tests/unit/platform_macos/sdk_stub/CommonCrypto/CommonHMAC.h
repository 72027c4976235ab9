// Stub for syntax checks only (see ../README.md): CCHmac as CCHmac(3cc) declares it.
#pragma once
#include <stddef.h>
#include <stdint.h>

typedef uint32_t CCHmacAlgorithm;
enum { kCCHmacAlgSHA256 = 2 };

extern "C" void CCHmac(CCHmacAlgorithm algorithm, const void* key, size_t keyLength,
                       const void* data, size_t dataLength, void* macOut);
