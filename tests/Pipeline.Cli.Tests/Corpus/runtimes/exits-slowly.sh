#!/bin/sh
# Exits after 2.5 s without polling: slow enough to escape a "quick death" rule.
echo $$ >> "$1/pids"
sleep 2.5
exit 1
