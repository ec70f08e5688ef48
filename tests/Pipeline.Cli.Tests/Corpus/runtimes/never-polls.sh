#!/bin/sh
# Starts and never calls /runtime/invocation/next.
echo $$ >> "$1/pids"
exec sleep 600
