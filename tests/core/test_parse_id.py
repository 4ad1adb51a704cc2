import pytest

from qmi.core.forms import MAX_ID, parse_id, parse_ids


@pytest.mark.parametrize(
    "raw", ["١٢٣", "１２", "12²", "-1", "0", "", None, "1e3", "9" * 40, str(MAX_ID + 1), [1]]
)
def test_anything_but_a_positive_ascii_id_in_range_is_refused(raw):
    assert parse_id(raw) is None
    assert parse_id(raw, default=7) == 7


def test_ids_are_read_in_order_and_capped():
    assert parse_id(" 42 ") == 42 and parse_id(str(MAX_ID)) == MAX_ID
    assert parse_ids(["3", "x", "١", "1", "2"], limit=2) == [3, 1]
