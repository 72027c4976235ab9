// Stub for syntax checks only (see ../README.md): the SecKey names platform/macos uses.
#pragma once
#include <CoreFoundation/CoreFoundation.h>

typedef struct __SecKey* SecKeyRef;
typedef CFStringRef SecKeyAlgorithm;
typedef const struct __SecRandom* SecRandomRef;
typedef int32_t OSStatus;
enum { errSecSuccess = 0 };

extern "C" {
extern const CFStringRef kSecAttrKeyType;
extern const CFStringRef kSecAttrKeyTypeECSECPrimeRandom;
extern const CFStringRef kSecAttrKeySizeInBits;
extern const CFStringRef kSecAttrKeyClass;
extern const CFStringRef kSecAttrKeyClassPublic;
extern const CFStringRef kSecAttrKeyClassPrivate;
extern const SecKeyAlgorithm kSecKeyAlgorithmECDSASignatureMessageX962SHA256;
extern const SecRandomRef kSecRandomDefault;

SecKeyRef SecKeyCreateRandomKey(CFDictionaryRef parameters, CFErrorRef* error);
SecKeyRef SecKeyCreateWithData(CFDataRef keyData, CFDictionaryRef attributes, CFErrorRef* error);
CFDataRef SecKeyCopyExternalRepresentation(SecKeyRef key, CFErrorRef* error);
SecKeyRef SecKeyCopyPublicKey(SecKeyRef key);
CFDataRef SecKeyCreateSignature(SecKeyRef key, SecKeyAlgorithm algorithm, CFDataRef dataToSign,
                                CFErrorRef* error);
Boolean SecKeyVerifySignature(SecKeyRef key, SecKeyAlgorithm algorithm, CFDataRef signedData,
                              CFDataRef signature, CFErrorRef* error);
int SecRandomCopyBytes(SecRandomRef rnd, size_t count, void* bytes);
}
