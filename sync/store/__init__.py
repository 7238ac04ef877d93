"""The store: every SQL statement and transaction boundary lives in this package."""
