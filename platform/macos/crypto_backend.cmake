# pairing/crypto.h on macOS (included by pairing/CMakeLists.txt when TALLY_PLATFORM is macos):
# CommonCrypto and Security.framework, both part of the OS, so neither the helper nor the
# pkg carries an OpenSSL dylib (README.md, "Crypto"). tally-server, built on the macOS CI
# runner for the end-to-end test only, links Homebrew's OpenSSL for its TLS itself.
include(${CMAKE_CURRENT_LIST_DIR}/portable.cmake)
add_library(tally_pairing STATIC ${CMAKE_CURRENT_LIST_DIR}/crypto_apple.cpp)
target_link_libraries(tally_pairing PUBLIC tally_pairing_portable tally_macos_codecs
                                           "-framework CoreFoundation" "-framework Security")
