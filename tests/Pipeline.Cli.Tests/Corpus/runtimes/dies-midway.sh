#!/bin/sh
# Answers $2 events, then takes one more and exits without answering it (a crash mid-job).
. "$(dirname "$0")/lib.sh"
served=0
while true; do
  next_event
  if [ "$served" -ge "$2" ]; then
    echo $$ >> "$state/crashed"
    exit 1
  fi
  answer "{\"invocationSchemaVersion\":\"1.0\",\"treatMissingKeysAs\":\"PermanentFailure\",\"invocationId\":\"$invocation\",\"results\":[{\"taskId\":\"$task\",\"resultCode\":\"Succeeded\",\"resultString\":\"ok\"}]}"
  served=$((served + 1))
done
