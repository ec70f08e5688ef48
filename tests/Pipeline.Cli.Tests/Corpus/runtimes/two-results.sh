#!/bin/sh
# Answers two results for the one task of the invocation: its own and one for a task that is not there.
. "$(dirname "$0")/lib.sh"
while true; do
  next_event
  answer "{\"invocationSchemaVersion\":\"1.0\",\"treatMissingKeysAs\":\"PermanentFailure\",\"invocationId\":\"$invocation\",\"results\":[{\"taskId\":\"$task\",\"resultCode\":\"Succeeded\",\"resultString\":\"mine\"},{\"taskId\":\"no-such-task\",\"resultCode\":\"PermanentFailure\",\"resultString\":\"extra\"}]}"
done
