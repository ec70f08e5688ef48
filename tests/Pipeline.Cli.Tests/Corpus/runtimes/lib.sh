# Shared by the runtimes here: next_event fills $id (request id), $body (event file), $task and
# $invocation (from the envelope); answer POSTs a body to /response.
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
state="$1"
scratch=$(mktemp -d "$state/scratch.XXXXXX")
trap 'rm -rf "$scratch"' EXIT  # a killed runtime leaves it in the test's state directory
next_event() {
  curl -sS -D "$scratch/headers" -o "$scratch/event" "$api/next" || exit 1
  id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$scratch/headers" | tr -d '\r' | cut -d' ' -f2)
  body="$scratch/event"
  task=$(grep -o '"taskId":"[^"]*"' "$body" | head -n 1 | cut -d'"' -f4)
  invocation=$(grep -o '"invocationId":"[^"]*"' "$body" | head -n 1 | cut -d'"' -f4)
}
answer() {
  curl -sS -o /dev/null -X POST --data-binary "$1" "$api/$id/response"
}
