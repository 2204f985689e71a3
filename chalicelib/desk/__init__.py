"""The desk (``/desk/v1``): one model of the work over the three stores of requests."""
