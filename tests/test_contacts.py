"""Contacts: data about people who may never have used the service, inviting them among it
(TAXONOMY.md C10, issue 13). Cases are real recorded versions (tests/fixtures/history) or
sentences quoted from them."""

from __future__ import annotations

from policywatch.detect import mentions
from policywatch.taxonomy import load_taxonomy
from projects import history_flags_by_clause

CONTACTS = [c for c in load_taxonomy() if c.id == "contacts"]


def test_inviting_people_not_on_the_service_is_a_use_of_contacts() -> None:
    # Parler 2025-01-21: "If you opt to send SMS invitations via Parler ..."; the week before,
    # its address book was read only to follow and be followed.
    found = history_flags_by_clause(
        "parler", "2025-01-14T00-33-01Z", "2025-01-21T00-32-51Z", "contacts"
    )
    [labels] = [f for c, f in found.items() if "SMS invitations" in c]
    assert labels == ["EXPANDED"]
    # Snapchat 2024-01-22 (quoted): "send invites or Snapchat content to non-Snapchatters".
    snapchat = (
        "it may also include fulfilling our user's request to send invites or Snapchat content"
        " to non-Snapchatters."
    )
    assert [m.term for m in mentions(snapchat, CONTACTS)] == [
        "invites or Snapchat content to non-Snapchatters"
    ]


def test_invites_to_people_on_the_service_are_no_contacts() -> None:
    # WhatsApp 2025-07 (quoted): group participants are users already.
    whatsapp = (
        "when a community or group is active, log when you send invites to new community or"
        " group participants and for groups, expire non-accepted invites"
    )
    assert mentions(whatsapp, CONTACTS) == []
