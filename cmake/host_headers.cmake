# Header-only dependencies (nlohmann/json, standalone Asio) for a cross build: Debian ships
# them for the host only, and they are plain C++ that any target can compile. Expose just
# those headers (not the rest of /usr/include) through a staging folder of symlinks.
set(_stage ${CMAKE_BINARY_DIR}/host-headers)
file(MAKE_DIRECTORY ${_stage})
foreach(h nlohmann asio asio.hpp catch2)
    if(NOT EXISTS ${_stage}/${h})
        file(CREATE_LINK /usr/include/${h} ${_stage}/${h} SYMBOLIC)
    endif()
endforeach()
add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED GLOBAL)
target_include_directories(nlohmann_json::nlohmann_json SYSTEM INTERFACE ${_stage})
add_library(tally_catch2_headers INTERFACE IMPORTED GLOBAL)
target_include_directories(tally_catch2_headers SYSTEM INTERFACE ${_stage})
