"""Domain rules. Every function takes a Session (and a Clock where time matters)."""
