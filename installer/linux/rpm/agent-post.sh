# tally-agent rpm %post ($1: 1 install, 2 upgrade): the shared package hook.
/usr/libexec/tally/package-hook configure
