#!/bin/sh
# Takes an event and sleeps (in the same process, so its id is the one that must be killed).
. "$(dirname "$0")/lib.sh"
next_event
echo $$ >> "$state/pids"
exec sleep 600
