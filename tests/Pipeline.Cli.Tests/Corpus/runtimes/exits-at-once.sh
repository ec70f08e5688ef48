#!/bin/sh
# Fails before it ever polls, as a runtime missing its configuration would.
echo "exits-at-once: cannot read configuration" >&2
exit 3
