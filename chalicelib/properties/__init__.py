"""The LEAP Properties web service (``/api/v1/properties``)."""
