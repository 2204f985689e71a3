"""The LEAP Customer web service (``/api/v1/customers``); accounts live in ``accounts``."""
