"""policywatch: watch privacy policies, clause by clause."""

__version__ = "0.1.0"
