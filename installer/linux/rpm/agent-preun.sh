# tally-agent rpm %preun ($1: 0 erase, 1 upgrade). Only an erase retires the device; on an
# upgrade this runs after the new version's %post, so it leaves the service alone.
if [ "$1" -eq 0 ]; then
    /usr/libexec/tally/package-hook remove
fi
