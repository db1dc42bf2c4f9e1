from apps.recordings.redaction import RULES
from apps.workflows.sop import REDACTION_NAMES, _privacy_sentences


def test_sop_names_every_redaction_rule():
    assert set(REDACTION_NAMES) == set(RULES)


def test_sop_never_prints_an_unknown_receipt_key():
    sentences = _privacy_sentences(
        {"redactions": {"john@example.com +33 1 23 45 67 89": 3, "email": 1}}
    )

    assert sentences == [
        "The recorder removed 1 email address and 3 other values from what it saw."
    ]
