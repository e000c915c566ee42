"""The client pages: find a client, add one, the team around them, join it, keep your part current."""
