"""Customer accounts. For now the part support requests need; the Customers API grows it."""
