# The macOS logic that calls no Apple API: compiled into the macOS agent by
# platform/macos/CMakeLists.txt, and on Linux by tests/unit/platform_macos/ so it is
# unit-tested on every CI run (Debian has no macOS SDK). Needs a crypto backend for SHA-256
# (tally_pairing: OpenSSL on Linux, Security/CommonCrypto on macOS).
if(NOT TARGET tally_macos_portable)
    add_library(tally_macos_portable STATIC
        ${CMAKE_CURRENT_LIST_DIR}/console_sessions.cpp
        ${CMAKE_CURRENT_LIST_DIR}/ecdsa_der.cpp
        ${CMAKE_CURRENT_LIST_DIR}/hid_idle.cpp
        ${CMAKE_CURRENT_LIST_DIR}/p256_key_pem.cpp
        ${CMAKE_CURRENT_LIST_DIR}/p256_point.cpp
        ${CMAKE_CURRENT_LIST_DIR}/platform_uuid.cpp)
    target_include_directories(tally_macos_portable PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(tally_macos_portable PUBLIC tally_agent_core tally_pairing_portable)
endif()
