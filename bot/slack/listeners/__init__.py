"""Listeners by Slack surface; each module exposes `register(app, deps)`."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.deps import SlackDeps
from bot.slack.listeners import actions, assistant, commands, mentions, messages


def register_all(app: App, deps: SlackDeps) -> None:
    messages.register_thread_edits(app, deps)  # before the assistant's middleware, which drops DM-thread edits
    assistant.register(app, deps)  # then: it claims DM thread messages before the plain DM listener
    mentions.register(app, deps)
    messages.register(app, deps)
    commands.register(app, deps)
    actions.register(app, deps)
