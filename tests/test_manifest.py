"""The Slack manifest asks for what the code uses."""

from __future__ import annotations

import json

from tests.conftest import REPO


def test_manifest_covers_the_bot_surfaces() -> None:
    manifest = json.loads((REPO / "manifest.json").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "app_mentions:read",
        "assistant:write",
        "chat:write",
        "commands",
        "im:history",
        "channels:history",
        "groups:history",  # message.channels / message.groups need them (answer-without-mention channels)
        "mpim:history",  # conversations.replies in a group DM: the thread before a mention there
    } <= scopes
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "assistant_thread_started", "assistant_thread_context_changed"} <= events
    assert {"message.channels", "message.groups"} <= events  # questions asked in a channel without a mention
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/newsdesk"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert "assistant_view" in manifest["features"]
