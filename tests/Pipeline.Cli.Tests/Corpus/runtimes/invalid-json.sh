#!/bin/sh
# Prints, then answers, text that is not JSON.
. "$(dirname "$0")/lib.sh"
while true; do
  next_event
  echo "{this is not JSON"
  answer '{this is not JSON'
done
