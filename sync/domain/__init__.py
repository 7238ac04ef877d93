"""Pure domain logic: no database, no HTTP. Property tests drive it directly."""
