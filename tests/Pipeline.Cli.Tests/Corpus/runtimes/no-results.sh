#!/bin/sh
# Answers an envelope with no results (treatMissingKeysAs left to its default).
. "$(dirname "$0")/lib.sh"
while true; do
  next_event
  answer "{\"invocationSchemaVersion\":\"1.0\",\"invocationId\":\"$invocation\",\"results\":[]}"
done
