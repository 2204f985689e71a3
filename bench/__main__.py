"""``make bench``: what a request costs.

1. DynamoDB calls and items read per request, for every endpoint, with 100 and with 10,000
   support requests in the table (moto server; the counts are exact, the times are not).
2. The app's warm overhead per request (routing, auth, validation, XML) with DynamoDB answered
   instantly by canned responses: median and p99 of GET /api/v1/requests/{identifier}.
3. Cold import of app.py against the bare import of its libraries, in fresh interpreters;
   the Lambda package's size and a cold start from its unzipped contents; one password
   hash (argon2id at OWASP's parameters, against scrypt).
4. The stream handlers' AWS calls per change, by kind of change, with no webhook endpoint and
   with three.
5. The embedded stack over HTTP, as make run starts it: writes per second with 100 and with
   10,000 requests stored, memory after 10,000 writes, state change to e-mail delay (alone,
   behind a record that cannot succeed, after another request's 150 long comments), and a GET
   of a request with 1,000 updates (a few minutes).
6. Webhooks on the embedded stack: change to first delivery attempt (median, p99) and
   deliveries per second with 3 endpoints.
7. The desk's queue: calls and items read by a page at 100 and 10,000 work items, and the
   delay from a record's change to its work item (median, p99).
"""
import subprocess
import sys

from . import cold_import, dynamodb_cost, password_hash, warm_overhead


def main() -> int:
    print(__doc__)
    dynamodb_cost.main()
    warm_overhead.ratios(warm_overhead.main(), warm_overhead.service_request_show(),
                         warm_overhead.ticket_get())
    cold_import.main()
    cold_import.lambda_package()
    password_hash.main()
    status = subprocess.call([sys.executable, "-m", "bench.stream_cost"])
    status = status or subprocess.call([sys.executable, "-m", "bench.embedded_stack"])
    status = status or subprocess.call([sys.executable, "-m", "bench.webhook_delivery"])
    return status or subprocess.call([sys.executable, "-m", "bench.desk_queue"])


if __name__ == "__main__":
    sys.exit(main())
