#!/usr/bin/python3
"""boto3 against `s3batch serve`: one scenario, one JSON document of observations on stdout.

Run by tests/Pipeline.Cli.Tests/ServeBoto3Tests.cs with Debian's Python (python3-boto3, botocore
1.29): the assertions live in the C# test; this script only drives boto3 as a user's code does and
writes down what boto3 returned or raised.

The client is made the way the reference measured (botocore 1.29 adds the `{AccountId}.` host
prefix to the endpoint whatever `inject_host_prefix` says, so the server is also the HTTP proxy):

    boto3.client("s3control", endpoint_url="http://s3control.local:PORT", region_name="us-east-1",
                 config=Config(proxies={"http": "http://127.0.0.1:PORT"}))

Scenarios (the first argument):
  lifecycle  create_job (ConfirmationRequired) -> Suspended -> tags, priority, list_jobs (filter,
             MaxResults=1 paging) -> update_job_status Ready -> Complete; a second job cancelled
             before it runs.
  errors     the modeled exceptions (NotFound, JobStatus, Idempotency, TooManyTags, BadRequest,
             InvalidNextToken, InvalidRequest), caught by the client's own exception classes.
  cancel     a job whose invocations never answer, cancelled while they are in flight.

Every call is written down as {"ok": true, "status", "retries", "response"} or {"ok": false,
"caught_by", "class", "code", "message", "status", "retries"}; datetimes as {"datetime": ISO-8601
in UTC, "tz_aware": bool}.

LambdaInvoke's InvocationSchemaVersion and UserArguments (schema 2.0) are newer than botocore
1.29's model: with `--schema 2.0` the script adds those two members to the client's model through
botocore's own `sdk-extras` mechanism (a data path searched before the installed models), which is
what a user of this botocore would do; `--schema 1.0` uses Debian's model as installed.
"""

import argparse
import datetime
import json
import os
import sys
import tempfile
import time

import boto3
import botocore
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

# The two LambdaInvokeOperation members of the current S3 Control model (reference section 5.2),
# missing from botocore 1.29's copy, as an sdk-extras merge.
LAMBDA_SCHEMA_2_EXTRAS = {
    "version": 1.0,
    "merge": {
        "shapes": {
            "LambdaInvokeOperation": {
                "members": {
                    "InvocationSchemaVersion": {"shape": "NonEmptyMaxLength64String"},
                    "UserArguments": {"shape": "UserArguments"},
                }
            },
            "NonEmptyMaxLength64String": {"type": "string", "max": 64, "min": 1},
            "MaxLength1024String": {"type": "string", "max": 1024, "min": 0},
            "UserArguments": {
                "type": "map",
                "key": {"shape": "NonEmptyMaxLength64String"},
                "value": {"shape": "MaxLength1024String"},
                "max": 10,
                "min": 1,
            },
        }
    },
}

TERMINAL = ("Complete", "Failed", "Cancelled")


def plain(value):
    """A response as JSON: datetimes tagged, everything else as it is."""
    if isinstance(value, datetime.datetime):
        aware = value.tzinfo is not None and value.utcoffset() is not None
        utc = value.astimezone(datetime.timezone.utc) if aware else value
        return {"datetime": utc.isoformat(), "tz_aware": aware}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


class Recorder:
    """Calls the client and writes down each answer under a name."""

    def __init__(self, client):
        self.client = client
        self.steps = {}

    def call(self, name, operation, expected=None, **params):
        """Calls `operation`; an error is caught by the client's exception class `expected` when
        given (client.exceptions.<expected>), else by ClientError."""
        method = getattr(self.client, operation)
        modeled = getattr(self.client.exceptions, expected, None) if expected else None
        try:
            response = method(**params)
        except Exception as error:  # noqa: BLE001 - sorted below, the caught class is the observation
            if modeled is not None and isinstance(error, modeled):
                caught_by = expected
            elif isinstance(error, ClientError):
                caught_by = "ClientError"
            elif isinstance(error, ParamValidationError):
                caught_by = "ParamValidationError"
            else:
                raise
            observation = {"ok": False, "caught_by": caught_by, "class": type(error).__name__}
            if isinstance(error, ClientError):
                metadata = error.response.get("ResponseMetadata", {})
                observation.update(
                    code=error.response.get("Error", {}).get("Code"),
                    message=error.response.get("Error", {}).get("Message"),
                    status=metadata.get("HTTPStatusCode"),
                    retries=metadata.get("RetryAttempts"),
                    request_id=metadata.get("RequestId"),
                )
            else:
                observation["message"] = str(error)
            self.steps[name] = observation
            return None
        metadata = response.get("ResponseMetadata", {})
        self.steps[name] = {
            "ok": True,
            "status": metadata.get("HTTPStatusCode"),
            "retries": metadata.get("RetryAttempts"),
            "response": plain(response),
        }
        return response

    def wait(self, name, account, job_id, until, timeout):
        """Polls describe_job until the status is one of `until` (hang guard: `timeout` seconds);
        writes down the statuses seen, in order, and the last description."""
        deadline = time.monotonic() + timeout
        seen = []
        job = None
        while True:
            job = self.client.describe_job(AccountId=account, JobId=job_id)["Job"]
            if not seen or seen[-1] != job["Status"]:
                seen.append(job["Status"])
            if job["Status"] in until or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.steps[name] = {
            "ok": job["Status"] in until,
            "timed_out": job["Status"] not in until,
            "seen": seen,
            "job": plain(job),
        }
        return job


def make_client(args, extend_model):
    session = botocore.session.get_session()
    if extend_model:
        data = tempfile.mkdtemp(prefix="boto3-scenario-")
        model_dir = os.path.join(data, "s3control", "2018-08-20")
        os.makedirs(model_dir)
        with open(os.path.join(model_dir, "service-2.sdk-extras.json"), "w", encoding="utf-8") as extras:
            json.dump(LAMBDA_SCHEMA_2_EXTRAS, extras)
        session.get_component("data_loader").search_paths.insert(0, data)
    return boto3.session.Session(botocore_session=session).client(
        "s3control",
        endpoint_url=args.endpoint,
        region_name="us-east-1",
        aws_access_key_id=args.access_key,
        aws_secret_access_key=args.secret_key,
        config=Config(proxies={"http": args.proxy}),
    )


def model_has_user_arguments(client):
    members = client.meta.service_model.shape_for("LambdaInvokeOperation").members
    return "UserArguments" in members and "InvocationSchemaVersion" in members


def job_request(args, **overrides):
    """A CreateJob request on the manifest and report bucket given on the command line."""
    lambda_invoke = {"FunctionArn": args.function_arn}
    if args.schema == "2.0":
        lambda_invoke.update(InvocationSchemaVersion="2.0", UserArguments={"k1": "v1", "empty": ""})
    request = {
        "AccountId": args.account,
        "ConfirmationRequired": True,
        "Operation": {"LambdaInvoke": lambda_invoke},
        "Report": {
            "Bucket": args.report_bucket,
            "Format": "Report_CSV_20180820",
            "Enabled": True,
            "Prefix": "boto3",
            "ReportScope": "AllTasks",
        },
        "Manifest": {
            "Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
            "Location": {"ObjectArn": args.manifest_arn, "ETag": args.manifest_etag},
        },
        "Priority": 10,
        "RoleArn": f"arn:aws:iam::{args.account}:role/batch-operations",
        "Description": "boto3 & <friends>",
        "Tags": [{"Key": "team", "Value": "storage"}, {"Key": "env", "Value": ""}],
        "ClientRequestToken": args.token,
    }
    request.update(overrides)
    return request


def lifecycle(args, r):
    account = args.account
    created = r.call("create", "create_job", **job_request(args))
    job_id = created["JobId"]
    r.call("describe_new", "describe_job", AccountId=account, JobId=job_id)
    r.wait("wait_suspended", account, job_id, ("Suspended",) + TERMINAL, args.timeout)
    r.call("list_suspended", "list_jobs", AccountId=account, JobStatuses=["Suspended"])
    r.call("list_complete_before", "list_jobs", AccountId=account, JobStatuses=["Complete"])

    r.call("get_tags_created", "get_job_tagging", AccountId=account, JobId=job_id)
    r.call("put_tags", "put_job_tagging", AccountId=account, JobId=job_id,
           Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": ""}])
    r.call("get_tags_put", "get_job_tagging", AccountId=account, JobId=job_id)
    r.call("put_tags_empty", "put_job_tagging", AccountId=account, JobId=job_id, Tags=[])
    r.call("get_tags_empty", "get_job_tagging", AccountId=account, JobId=job_id)
    r.call("put_tags_again", "put_job_tagging", AccountId=account, JobId=job_id, Tags=[{"Key": "c", "Value": "3"}])
    r.call("delete_tags", "delete_job_tagging", AccountId=account, JobId=job_id)
    r.call("get_tags_deleted", "get_job_tagging", AccountId=account, JobId=job_id)

    r.call("priority", "update_job_priority", AccountId=account, JobId=job_id, Priority=42)
    r.call("describe_priority", "describe_job", AccountId=account, JobId=job_id)

    r.call("confirm", "update_job_status", AccountId=account, JobId=job_id, RequestedJobStatus="Ready")
    r.wait("wait_complete", account, job_id, TERMINAL, args.timeout)
    r.call("describe_complete", "describe_job", AccountId=account, JobId=job_id)
    r.call("list_complete", "list_jobs", AccountId=account, JobStatuses=["Complete"])

    # A second job (left awaiting confirmation), then ListJobs one job a page: MaxResults=1 and the
    # NextToken of each page, as boto3 users page (botocore has no ListJobs paginator).
    second = r.call("create_second", "create_job", **job_request(args, ClientRequestToken=args.token + "-second", Priority=5))
    second_id = second["JobId"]
    pages = []
    token = None
    for index in range(10):
        params = {"AccountId": account, "MaxResults": 1}
        if token is not None:
            params["NextToken"] = token
        page = r.call(f"page_{index}", "list_jobs", **params)
        pages.append(f"page_{index}")
        token = page.get("NextToken")
        if token is None:
            break
    r.steps["pages"] = pages
    r.call("list_filtered", "list_jobs", AccountId=account, JobStatuses=["Complete"], MaxResults=1)

    r.call("cancel_second", "update_job_status", AccountId=account, JobId=second_id,
           RequestedJobStatus="Cancelled", StatusUpdateReason="not needed after all")
    r.call("describe_second", "describe_job", AccountId=account, JobId=second_id)
    return {"job_id": job_id, "second_job_id": second_id}


def errors(args, r):
    account = args.account
    unknown = "00000000-0000-4000-8000-000000000000"
    created = r.call("create", "create_job", **job_request(args, ConfirmationRequired=False))
    job_id = created["JobId"]
    r.wait("wait_complete", account, job_id, TERMINAL, args.timeout)

    r.call("describe_unknown", "describe_job", "NotFoundException", AccountId=account, JobId=unknown)
    r.call("describe_other_account", "describe_job", "NotFoundException", AccountId=args.other_account, JobId=job_id)
    r.call("status_unknown", "update_job_status", "NotFoundException", AccountId=account, JobId=unknown, RequestedJobStatus="Cancelled")
    r.call("priority_unknown", "update_job_priority", "NotFoundException", AccountId=account, JobId=unknown, Priority=1)
    r.call("get_tags_unknown", "get_job_tagging", "NotFoundException", AccountId=account, JobId=unknown)
    r.call("put_tags_unknown", "put_job_tagging", "NotFoundException", AccountId=account, JobId=unknown, Tags=[])
    r.call("delete_tags_unknown", "delete_job_tagging", "NotFoundException", AccountId=account, JobId=unknown)

    r.call("confirm_complete", "update_job_status", "JobStatusException", AccountId=account, JobId=job_id, RequestedJobStatus="Ready")
    r.call("cancel_complete", "update_job_status", "JobStatusException", AccountId=account, JobId=job_id, RequestedJobStatus="Cancelled")

    r.call("create_same_token_same_request", "create_job", "IdempotencyException", **job_request(args, ConfirmationRequired=False))
    r.call("create_same_token_other_request", "create_job", "IdempotencyException", **job_request(args, ConfirmationRequired=False, Priority=11))

    too_many = [{"Key": f"k{i}", "Value": str(i)} for i in range(51)]
    fifty = too_many[:50]
    r.call("put_tags_51", "put_job_tagging", "TooManyTagsException", AccountId=account, JobId=job_id, Tags=too_many)
    r.call("put_tags_50", "put_job_tagging", AccountId=account, JobId=job_id, Tags=fifty)
    r.call("get_tags_50", "get_job_tagging", AccountId=account, JobId=job_id)

    r.call("priority_too_high", "update_job_priority", "BadRequestException", AccountId=account, JobId=job_id, Priority=2147483648)
    r.call("create_priority_too_high", "create_job", "BadRequestException",
           **job_request(args, ClientRequestToken=args.token + "-high", Priority=2147483648))
    r.call("list_bad_token", "list_jobs", "InvalidNextTokenException", AccountId=account, NextToken="not-a-token-of-this-server")
    r.call("list_max_results_5000", "list_jobs", "InvalidRequestException", AccountId=account, MaxResults=5000)
    return {"job_id": job_id}


def wait_for_lines(path, count, timeout):
    """Waits (hang guard) until the file at `path` has `count` lines; the lines it has."""
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path, encoding="utf-8") as marker:
                lines = [line for line in marker.read().splitlines() if line]
            if len(lines) >= count:
                break
        time.sleep(0.1)
    return lines


def cancel(args, r):
    account = args.account
    created = r.call("create", "create_job", **job_request(args, ConfirmationRequired=False))
    job_id = created["JobId"]
    r.wait("wait_active", account, job_id, ("Active",) + TERMINAL, args.timeout)
    r.steps["in_flight"] = wait_for_lines(args.wait_file, args.wait_lines, args.timeout) if args.wait_file else []
    r.call("describe_running", "describe_job", AccountId=account, JobId=job_id)
    r.call("cancel", "update_job_status", AccountId=account, JobId=job_id,
           RequestedJobStatus="Cancelled", StatusUpdateReason="stopped by boto3")
    r.wait("wait_cancelled", account, job_id, TERMINAL, args.timeout)
    r.call("describe_cancelled", "describe_job", AccountId=account, JobId=job_id)
    r.call("cancel_again", "update_job_status", "JobStatusException", AccountId=account, JobId=job_id, RequestedJobStatus="Cancelled")
    r.call("list_cancelled", "list_jobs", AccountId=account, JobStatuses=["Cancelled"])
    return {"job_id": job_id}


SCENARIOS = {"lifecycle": lifecycle, "errors": errors, "cancel": cancel}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--endpoint", required=True, help="endpoint_url, e.g. http://s3control.local:PORT")
    parser.add_argument("--proxy", required=True, help="the HTTP proxy: the server, http://127.0.0.1:PORT")
    parser.add_argument("--account", default="123456789012")
    parser.add_argument("--other-account", default="210987654321")
    parser.add_argument("--manifest-arn", required=True)
    parser.add_argument("--manifest-etag", required=True)
    parser.add_argument("--report-bucket", required=True, help="the report bucket's ARN")
    parser.add_argument("--function-arn", default="arn:aws:lambda:us-east-1:123456789012:function:noop")
    parser.add_argument("--schema", choices=["1.0", "2.0"], default="2.0", help="LambdaInvoke InvocationSchemaVersion")
    parser.add_argument("--token", default="boto3-token-1", help="the first job's ClientRequestToken")
    parser.add_argument("--access-key", default="AKIDLOCALTEST")
    parser.add_argument("--secret-key", default="local-test-secret")
    parser.add_argument("--timeout", type=float, default=60, help="hang guard of each wait, in seconds")
    parser.add_argument("--wait-file", help="cancel: a file the runtimes append a line to when they hold an invocation")
    parser.add_argument("--wait-lines", type=int, default=1)
    args = parser.parse_args()

    plain_client = make_client(args, extend_model=False)
    client = make_client(args, extend_model=args.schema == "2.0")
    recorder = Recorder(client)
    ids = SCENARIOS[args.scenario](args, recorder)
    json.dump(
        {
            "scenario": args.scenario,
            "boto3": boto3.__version__,
            "botocore": botocore.__version__,
            "installed_model_has_user_arguments": model_has_user_arguments(plain_client),
            "client_model_has_user_arguments": model_has_user_arguments(client),
            "ids": ids,
            "steps": recorder.steps,
        },
        sys.stdout,
        indent=1,
        sort_keys=True,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
