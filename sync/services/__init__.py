"""Services: one transaction per use case, calling the pure domain and the store."""
