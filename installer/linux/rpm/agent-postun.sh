# tally-agent rpm %postun ($1: 0 erase, 1 upgrade). rpm has no purge: the state in
# /var/lib/tally (identity, spool) is kept after an erase; delete it by hand if wanted.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
    if [ "$1" -ge 1 ]; then
        systemctl try-restart tally-agent.service || true
    fi
fi
