"""``/oauth2/token``: bearer tokens for API clients (client credentials grant)."""
