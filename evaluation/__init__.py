"""bertkit evaluation suite: metrics, run loop, leaderboards."""
