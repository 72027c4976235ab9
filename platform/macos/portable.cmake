# The macOS code that calls no Apple API, in two libraries:
#   tally_macos_codecs    DER/PEM/point codecs the Security/CommonCrypto backend needs;
#   tally_macos_portable  session rules, HIDIdleTime and IOPlatformUUID handling, account
#                         origin (SHA-256 from the consumer's crypto backend).
# Compiled into the macOS agent (platform/macos/CMakeLists.txt, crypto_backend.cmake) and,
# on Linux, into tests/unit/platform_macos so every CI run tests them (Debian has no macOS SDK).
if(NOT TARGET tally_macos_codecs)
    add_library(tally_macos_codecs STATIC
        ${CMAKE_CURRENT_LIST_DIR}/ecdsa_der.cpp
        ${CMAKE_CURRENT_LIST_DIR}/p256_key_pem.cpp
        ${CMAKE_CURRENT_LIST_DIR}/p256_point.cpp)
    target_include_directories(tally_macos_codecs PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(tally_macos_codecs PUBLIC tally_pairing_portable)

    add_library(tally_macos_portable STATIC
        ${CMAKE_CURRENT_LIST_DIR}/account_origin.cpp
        ${CMAKE_CURRENT_LIST_DIR}/console_sessions.cpp
        ${CMAKE_CURRENT_LIST_DIR}/hid_idle.cpp
        ${CMAKE_CURRENT_LIST_DIR}/platform_uuid.cpp)
    target_include_directories(tally_macos_portable PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(tally_macos_portable PUBLIC tally_agent_core tally_macos_codecs)
endif()
