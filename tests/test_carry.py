"""A new list takes part in the practice its lead-in states (carry.py, issue 13). Cases are pairs
of real recorded versions (tests/fixtures/history, tests/fixtures/pairs) unless they say they
are hand-written."""

from __future__ import annotations

from policywatch.diff import Side, compare_texts
from projects import PAIRS, flags_by_clause, history_comparison, history_flags_by_clause

PARLER_SHORT, PARLER_LONG = "2026-05-21T00-48-06Z", "2026-06-16T00-48-21Z"
WHATSAPP_2022, WHATSAPP_2025 = "2022-10-13T18-33-57Z", "2025-07-03T12-38-19Z"


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
    # Its terms are said where the lead-in leads the list in, not in its first sentence.
    assert flag.terms == ("retain",)
    assert flag.lead.startswith("When you delete your account")
    assert flag.lead.endswith("we are required or permitted to retain, including:")
    found = flags_by_clause(comparison, "retention")
    assert found[
        "Information necessary to detect, investigate, or prevent fraud, abuse, or illegal activity;"
    ] == ["NEW"]


def test_the_items_of_a_new_list_of_age_checks_are_age_checks() -> None:
    # Bluesky 2025-08: "Bluesky may use third-party services to verify that you are old enough
    # ... This verification may involve one or more of the following methods": uploading an
    # image of a government-issued ID is one, though the item never says "age".
    comparison = history_comparison("bluesky", "2025-06-25T00-30-14Z", "2025-08-15T00-30-30Z")
    found = flags_by_clause(comparison, "children")
    item = (
        "Government ID Verification: Uploading an image of a government-issued ID, which is"
        " checked for authenticity."
    )
    assert found[item] == ["EXPANDED"]
    # "This verification may involve ... the following methods:" points back: the quote holds
    # the sentence before it, where the practice is said.
    [flag] = [
        f
        for c in comparison.changes
        if c.new_text == item
        for f in c.flags
        if f.category == "children"
    ]
    assert flag.terms == ("old enough",)
    assert flag.lead.startswith("Where required by law, Bluesky may use third-party services")
    assert flag.lead.endswith(
        "the following methods, depending on your jurisdiction and availability:"
    )
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
    found = history_flags_by_clause("whatsapp", WHATSAPP_2022, WHATSAPP_2025, "transfer_abroad")
    assert not [text for text in found if text.startswith("troubleshoot technical issues")]
    assert not [text for text in found if text.startswith("with our legal administration")]


def test_items_that_stay_take_nothing_from_a_lead_in_that_narrows() -> None:
    # Netflix 2024-09 drops the lead-in of its list of what Partners give ("voice assistant
    # platforms"); the items are reworded, not gone, and lose no voice command.
    found = history_flags_by_clause(
        "netflix", "2021-04-14T00-31-46Z", "2024-09-01T06-10-52Z", "audio_voice_sensors"
    )
    assert not [text for text in found if text.startswith("service activation information")]
    assert not [text for text in found if text.startswith("IP addresses, device IDs")]


def test_the_items_of_a_list_gone_with_its_lead_in_are_no_longer_kept() -> None:
    # Lydia's privacy policy of 2023-01 "is required by the French Law to retain the following
    # information": its next recorded version is another document, which keeps nothing.
    old, new = (
        (PAIRS / "14-80f986a6" / f"{n}.md").read_text(encoding="utf-8") for n in ("old", "new")
    )
    comparison = compare_texts(Side.of_markdown("old", old), Side.of_markdown("new", new))
    carried = [
        (f.label, f.terms, c.old_text)
        for c in comparison.changes
        for f in c.flags
        if f.category == "retention" and f.change == "removed" and not f.positions
    ]
    assert len(carried) == 3
    assert all(label == "NO LONGER" and terms == ("retain",) for label, terms, _ in carried)
    assert carried[0][2].startswith("Documents relating to the Client")


# Hand-written (the histories hold no such list): what decides whether an item carries.
BEFORE = "# Privacy\n\nWe are a company that makes a website for people.\n"


def carried_flags(old: str, new: str) -> list[tuple[str, str, str]]:
    comparison = compare_texts(Side.of_markdown("old", old), Side.of_markdown("new", new))
    return [
        (f.label, f.category, (c.new_text or c.old_text or ""))
        for c in comparison.changes
        for f in c.flags
        if not f.positions
    ]


def test_an_item_carries_only_what_its_list_is_led_in_by() -> None:
    # The practice said in an earlier sentence is not what the list is of.
    new = BEFORE + (
        "\nWe collect your precise geolocation. We work with the following partners:\n\n"
        "- Acme Analytics Inc.\n- Example Hosting LLC\n"
    )
    assert carried_flags(BEFORE, new) == []
    led = (
        BEFORE
        + "\nWe collect your precise geolocation and share it with:\n\n- Acme Analytics Inc.\n"
    )
    assert carried_flags(BEFORE, led) == [("NEW", "precise_geolocation", "Acme Analytics Inc.")]


def test_items_that_stay_and_denials_carry_nothing() -> None:
    # A list reworded under a lead-in that now states a practice: its items stay.
    old = BEFORE + "\nWe work with:\n\n- Acme Analytics Inc. in Ohio\n- Example Hosting LLC\n"
    new = BEFORE + (
        "\nWe share your precise geolocation with:\n\n"
        "- Acme Analytics Inc. in Ohio, USA\n- Example Hosting LLC\n"
    )
    assert carried_flags(old, new) == []
    # A list gone where the company now denies what led it in: each item would repeat NOW
    # DENIES.
    sold = BEFORE + "\nWe may sell your personal information to:\n\n- Acme Ads Inc.\n"
    denial = BEFORE + "\nWe do not sell your personal information.\n"
    assert carried_flags(sold, denial) == []
    # An item new under a lead-in that now states a practice takes part in it; one that
    # stays does not.
    old = BEFORE + "\nWe work with:\n\n- Acme Analytics Inc.\n"
    new = (
        BEFORE + "\nWe share your precise geolocation with:\n\n- Acme Analytics Inc.\n- Beta Corp\n"
    )
    assert carried_flags(old, new) == [("NEW", "precise_geolocation", "Beta Corp")]


def test_a_flip_a_definition_and_a_heading_carry_nothing() -> None:
    # "We do not sell" become "We may sell ... to:": its own NOW SAYS IT MAY says it once.
    never = BEFORE + "\nWe do not sell your personal information.\n"
    flip = BEFORE + "\nWe may sell your personal information to:\n\n- Acme Ads Inc.\n"
    assert carried_flags(never, flip) == []
    # A law's definition lists what a word covers, not what the company does.
    defined = BEFORE + (
        "\nSensitive personal information, as defined in Cal. Civ. Code 1798.140, includes"
        " biometric information and:\n\n- a log-in and password\n"
    )
    assert carried_flags(BEFORE, defined) == []
    # A heading names a section; it states nothing its items could take part in.
    headed = BEFORE + "\n## Biometric data\n\n- Acme Analytics Inc.\n"
    assert carried_flags(BEFORE, headed) == []
