# Read by cpack for each generator: file names exactly as DESIGN.md §6 names them, from the
# package version (`cpack -D CPACK_PACKAGE_VERSION=…` changes both).
set(CPACK_DEBIAN_AGENT_FILE_NAME "tally-agent_${CPACK_PACKAGE_VERSION}_amd64.deb")
set(CPACK_DEBIAN_SERVER_FILE_NAME "tally-server_${CPACK_PACKAGE_VERSION}_amd64.deb")
set(CPACK_DEBIAN_PACKAGE_VERSION "${CPACK_PACKAGE_VERSION}")
set(CPACK_RPM_PACKAGE_VERSION "${CPACK_PACKAGE_VERSION}")
set(CPACK_RPM_AGENT_FILE_NAME "tally-agent-${CPACK_PACKAGE_VERSION}-1.x86_64.rpm")
if(CPACK_GENERATOR STREQUAL "RPM")
    # Only the agent is packaged as an rpm.
    set(CPACK_COMPONENTS_ALL agent)
endif()
