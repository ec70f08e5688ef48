#!/bin/sh
# A Lambda function for S3 Batch Operations as a plain-shell custom runtime (curl against
# $AWS_LAMBDA_RUNTIME_API, as in AWS's custom-runtime tutorial), for ServeAwsCliTests: it answers
# every task Succeeded with the result string "processed KEY" — plus " for PREFIX" when the job's
# UserArguments (invocation schema 2.0) carry MyDestinationPrefix — after sleeping $1 seconds
# (default 0: a slow function to cancel mid-run).
delay="${1:-0}"
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cr=$(printf '\r')
while true; do
  curl -sS -D "$scratch/headers" -o "$scratch/event" "$api/next" || exit 1
  id=
  while IFS= read -r line; do
    case "$line" in
      [Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d:*) id=${line#*:}; id=${id# }; id=${id%"$cr"} ;;
    esac
  done < "$scratch/headers"
  json=
  IFS= read -r json < "$scratch/event" || true
  schema=${json#*\"invocationSchemaVersion\":\"}; schema=${schema%%\"*}
  invocation=${json#*\"invocationId\":\"}; invocation=${invocation%%\"*}
  task=${json#*\"taskId\":\"}; task=${task%%\"*}
  key=${json#*\"s3Key\":\"}; key=${key%%\"*}
  result="processed $key"
  case "$json" in
    *\"MyDestinationPrefix\":\"*) prefix=${json#*\"MyDestinationPrefix\":\"}; prefix=${prefix%%\"*}; result="$result for $prefix" ;;
  esac
  [ "$delay" = 0 ] || sleep "$delay"
  curl -sS -o /dev/null -X POST --data-binary \
    "{\"invocationSchemaVersion\":\"$schema\",\"treatMissingKeysAs\":\"PermanentFailure\",\"invocationId\":\"$invocation\",\"results\":[{\"taskId\":\"$task\",\"resultCode\":\"Succeeded\",\"resultString\":\"$result\"}]}" \
    "$api/$id/response"
done
