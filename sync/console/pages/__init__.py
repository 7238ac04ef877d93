"""The console's HTTP handlers, one module per page family: decode, authorise, call, render."""
