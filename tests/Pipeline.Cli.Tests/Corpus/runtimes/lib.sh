# Shared by the runtimes here: next_event fills $id (request id), $body (event file), $task and
# $invocation (from the envelope); answer POSTs a body to /response. Shell built-ins only, besides
# curl, so a 1,000-task job stays quick.
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
state="$1"
scratch=$(mktemp -d "$state/scratch.XXXXXX")
trap 'rm -rf "$scratch"' EXIT  # a killed runtime leaves it in the test's state directory
cr=$(printf '\r')
next_event() {
  curl -sS -D "$scratch/headers" -o "$scratch/event" "$api/next" || exit 1
  id=
  while IFS= read -r line; do
    case "$line" in
      [Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d:*) id=${line#*:}; id=${id# }; id=${id%"$cr"} ;;
    esac
  done < "$scratch/headers"
  body="$scratch/event"
  json=
  IFS= read -r json < "$body" || true
  task=${json#*\"taskId\":\"}; task=${task%%\"*}
  invocation=${json#*\"invocationId\":\"}; invocation=${invocation%%\"*}
}
answer() {
  curl -sS -o /dev/null -X POST --data-binary "$1" "$api/$id/response"
}
