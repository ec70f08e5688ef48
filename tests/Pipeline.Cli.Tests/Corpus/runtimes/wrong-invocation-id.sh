#!/bin/sh
# Answers a valid envelope whose invocationId is not the request's (the task's result is right).
. "$(dirname "$0")/lib.sh"
while true; do
  next_event
  answer "{\"invocationSchemaVersion\":\"1.0\",\"treatMissingKeysAs\":\"PermanentFailure\",\"invocationId\":\"not-$invocation\",\"results\":[{\"taskId\":\"$task\",\"resultCode\":\"Succeeded\",\"resultString\":\"answered under another invocationId\"}]}"
done
