"""Financial data in its senses: payments as a practice, not a market or a feature; crypto
wallets and transactions on a public blockchain (TAXONOMY.md C05, issue 13). Cases are real
recorded versions (tests/fixtures/history) or sentences quoted from them."""

from __future__ import annotations

from policywatch.detect import mentions
from policywatch.taxonomy import load_taxonomy
from projects import history_comparison, history_flags_by_clause

FINANCIAL = [c for c in load_taxonomy() if c.id == "financial"]
PARLER_SHORT, PARLER_LONG = "2026-05-21T00-48-06Z", "2026-06-16T00-48-21Z"


def test_payments_are_financial_as_a_practice_not_as_a_market() -> None:
    # Parler's page recorded on 2026-04-23 is its landing page: "audience, content, commerce,
    # payments, and infrastructure" states no practice. The policy back the next day uses
    # information "To facilitate transactions, redemptions, and payments".
    purpose = "To facilitate transactions, redemptions, and payments"
    found = history_flags_by_clause(
        "parler", "2026-04-23T00-48-00Z", "2026-04-24T00-48-41Z", "financial"
    )
    assert found[purpose] == ["NEW"]
    found = history_flags_by_clause(
        "parler", "2026-02-19T00-48-03Z", "2026-04-23T00-48-00Z", "financial"
    )
    assert found[purpose] == ["NO LONGER"]
    # The landing page's own words are no mention of the category.
    landing = (
        "Individually powerful. Together, an interconnected experience where audience, content,"
        " commerce, payments, and infrastructure reinforce the same audience loop."
    )
    assert mentions(landing, FINANCIAL) == []
    # WhatsApp 2022 (quoted): a feature named for payments is a feature used.
    features = (
        "This also includes information about when you registered to use our Services; the"
        " features you use like our messaging, calling, Status, groups (including group name,"
        " group picture, group description), payments or business features."
    )
    assert mentions(features, FINANCIAL) == []


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
    assert ["wallet addresses"] in terms
    assert ["transaction data recorded on a public blockchain"] in terms
    # Parler 2025-01-21 (quoted): what users keep themselves is no practice of the company's.
    keys = (
        "Users are responsible for managing their blockchain credentials, such as private keys"
        " or wallet addresses, as Parler does not store or recover such information."
    )
    assert mentions(keys, FINANCIAL) == []


def test_a_users_own_care_or_a_record_is_no_payment_data() -> None:
    # Quoted: Kraken Verify (tests/fixtures/pairs/24) records identity attestations there.
    attestations = "Your attestations will be recorded on a public blockchain."
    assert mentions(attestations, FINANCIAL) == []
    # The exclusion of what users keep stops at the company's own voice (hand-written).
    both = (
        "You are responsible for keeping your password secret, and we collect your payment"
        " card number and bank account details."
    )
    assert [m.term for m in mentions(both, FINANCIAL)] == ["payment card number", "bank account"]


def test_blockchain_data_is_a_kind_apart_from_blockchain_addresses() -> None:
    # Reddit 2023-08 "may collect public blockchain addresses" (NFTs, Vault); 2024-02 "may
    # also collect public blockchain data and addresses": what was done on the chain is new,
    # the addresses are still said.
    comparison = history_comparison("reddit", "2023-08-01T00-33-43Z", "2024-02-16T00-34-22Z")
    found = [
        (f.label, f.terms)
        for c in comparison.changes
        for f in c.flags
        if f.category == "financial" and any("blockchain" in t for t in f.terms)
    ]
    assert found == [("EXPANDED", ("public blockchain data and addresses",))]
    kinds = next(c for c in load_taxonomy() if c.id == "financial").kinds_of
    assert kinds("public blockchain data and addresses") == {"crypto wallet", "crypto transactions"}
    assert kinds("public blockchain addresses") == {"crypto wallet"}
