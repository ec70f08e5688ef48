#!/bin/sh
# Answers under a request id that is not the invocation's (the Runtime API refuses it with 400),
# so the invocation itself is never answered. The refusal goes to the log (stdout).
. "$(dirname "$0")/lib.sh"
while true; do
  next_event
  curl -sS -X POST --data-binary "{\"invocationSchemaVersion\":\"1.0\",\"invocationId\":\"$invocation\",\"results\":[{\"taskId\":\"$task\",\"resultCode\":\"Succeeded\",\"resultString\":\"ok\"}]}" "$api/not-$id/response"
  echo
done
