"""The LEAP Support Requests web service (``/api/v1/requests``)."""
