"""A new list takes part in the practice its lead-in states (diff._carried), and the words that
only say what a list's items are about: payments and crypto wallets (issue 13). Every case is
a pair of real recorded versions (tests/fixtures/history) or a sentence quoted from one."""

from __future__ import annotations

from policywatch.detect import mentions
from policywatch.taxonomy import load_taxonomy
from projects import history_comparison

PARLER_SHORT, PARLER_LONG = "2026-05-21T00-48-06Z", "2026-06-16T00-48-21Z"
WHATSAPP_2022, WHATSAPP_2025 = "2022-10-13T18-33-57Z", "2025-07-03T12-38-19Z"


def flags_by_clause(policy: str, old: str, new: str, category: str) -> dict[str, list[str]]:
    """Each changed clause's text (its side that carries the flag) and its flags' labels."""
    found: dict[str, list[str]] = {}
    for change in history_comparison(policy, old, new).changes:
        for flag in change.flags:
            if flag.category == category:
                text = change.new_text if flag.change == "added" else change.old_text
                found.setdefault(text or "", []).append(flag.label)
    return found


def test_the_items_of_a_new_list_of_what_is_kept_are_kept() -> None:
    # Parler 2026-06-16: "When you delete your account, we delete or de-identify your Personal
    # Information ..., except for information we are required or permitted to retain,
    # including:" and a list. The version before states no retention at all.
    comparison = history_comparison("parler", PARLER_SHORT, PARLER_LONG)
    item = "Information necessary to enforce our Terms of Service or resolve disputes;"
    [change] = [c for c in comparison.changes if c.new_text == item]
    [flag] = [f for f in change.flags if f.category == "retention"]
    assert flag.label == "NEW"
    assert flag.sentence_text == item
    assert flag.positions == ()  # its terms are the lead-in's, not the item's
    assert flag.lead.endswith("we are required or permitted to retain, including:")
    assert flag.said.startswith("When you delete your account")
    found = flags_by_clause("parler", PARLER_SHORT, PARLER_LONG, "retention")
    assert found[
        "Information necessary to detect, investigate, or prevent fraud, abuse, or illegal activity;"
    ] == ["NEW"]


def test_the_items_of_a_new_list_of_age_checks_are_age_checks() -> None:
    # Bluesky 2025-08: "Bluesky may use third-party services to verify that you are old enough
    # ... This verification may involve one or more of the following methods": uploading an
    # image of a government-issued ID is one, though the item never says "age".
    found = flags_by_clause("bluesky", "2025-06-25T00-30-14Z", "2025-08-15T00-30-30Z", "children")
    item = (
        "Government ID Verification: Uploading an image of a government-issued ID, which is"
        " checked for authenticity."
    )
    assert found[item] == ["EXPANDED"]
    # An item with a term of its own keeps its own flag, and only one of the category.
    own = (
        "Payment Card Verification: Providing a valid payment card to confirm age through a"
        " nominal transaction or validation check."
    )
    assert found[own] == ["EXPANDED"]


def test_a_list_under_a_country_carries_no_transfer() -> None:
    # WhatsApp 2025-07: "the UK, United States that provide us with:" leads in what those
    # companies do ("troubleshoot technical issues"), not data sent there: the lead-in's own
    # flag says the country once.
    found = flags_by_clause("whatsapp", WHATSAPP_2022, WHATSAPP_2025, "transfer_abroad")
    assert not [text for text in found if text.startswith("troubleshoot technical issues")]
    assert not [text for text in found if text.startswith("with our legal administration")]


def test_items_that_stay_take_nothing_from_a_lead_in_that_narrows() -> None:
    # Netflix 2024-09 drops the lead-in of its list of what Partners give ("voice assistant
    # platforms"); the items are reworded, not gone, and lose no voice command.
    found = flags_by_clause(
        "netflix", "2021-04-14T00-31-46Z", "2024-09-01T06-10-52Z", "audio_voice_sensors"
    )
    assert not [text for text in found if text.startswith("service activation information")]
    assert not [text for text in found if text.startswith("IP addresses, device IDs")]


def test_payments_are_financial_as_a_practice_not_as_a_market() -> None:
    # Parler's page recorded on 2026-04-23 is its landing page: "audience, content, commerce,
    # payments, and infrastructure" states no practice. The policy back the next day uses
    # information "To facilitate transactions, redemptions, and payments".
    purpose = "To facilitate transactions, redemptions, and payments"
    found = flags_by_clause("parler", "2026-04-23T00-48-00Z", "2026-04-24T00-48-41Z", "financial")
    assert found[purpose] == ["NEW"]
    found = flags_by_clause("parler", "2026-02-19T00-48-03Z", "2026-04-23T00-48-00Z", "financial")
    assert found[purpose] == ["NO LONGER"]
    # The landing page's own words are no mention of the category.
    financial = [c for c in load_taxonomy() if c.id == "financial"]
    landing = (
        "Individually powerful. Together, an interconnected experience where audience, content,"
        " commerce, payments, and infrastructure reinforce the same audience loop."
    )
    assert mentions(landing, financial) == []
    # WhatsApp 2022 (quoted): a feature named for payments is a feature used.
    features = (
        "This also includes information about when you registered to use our Services; the"
        " features you use like our messaging, calling, Status, groups (including group name,"
        " group picture, group description), payments or business features."
    )
    assert mentions(features, financial) == []


def test_crypto_wallets_are_financial_data_a_users_own_keys_are_not() -> None:
    # Parler 2026-06-16 records "wallet addresses and transaction details ... on a public
    # blockchain"; the version before collected payment card data only.
    comparison = history_comparison("parler", PARLER_SHORT, PARLER_LONG)
    terms = [
        list(f.terms)
        for c in comparison.changes
        for f in c.flags
        if f.category == "financial" and f.label == "EXPANDED"
    ]
    assert ["wallet addresses", "public blockchain"] in terms
    # Parler 2025-01-21 (quoted): what users keep themselves is no practice of the company's.
    financial = [c for c in load_taxonomy() if c.id == "financial"]
    keys = (
        "Users are responsible for managing their blockchain credentials, such as private keys"
        " or wallet addresses, as Parler does not store or recover such information."
    )
    assert mentions(keys, financial) == []
