"""``make bench``: what a request costs.

1. DynamoDB calls and items read per request, for every endpoint, with 100 and with 10,000
   support requests in the table (moto server; the counts are exact, the times are not).
2. The app's warm overhead per request (routing, auth, validation, XML) with DynamoDB answered
   instantly by canned responses: median and p99 of GET /api/v1/requests/{identifier}.
3. Cold import of app.py against the bare import of its libraries, in fresh interpreters.
"""
import sys

from . import cold_import, dynamodb_cost, warm_overhead


def main() -> int:
    print(__doc__)
    dynamodb_cost.main()
    warm_overhead.main()
    cold_import.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
