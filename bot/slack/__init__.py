"""The Slack surface: a Bolt app whose listeners turn Slack events into questions and Block Kit answers."""
