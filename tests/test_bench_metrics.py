"""The benchmark's measures (bench/metrics.py), where a wrong one would mislead every table."""

import pytest

from bench.metrics import character_accuracy, words_found


@pytest.mark.parametrize(
    "read, truth, share",
    [
        ("LAN HING STATIONERY SDN BHD", "LAN HING STATIONERY SDN BHD", 1.0),
        ("lan hing stationery sdn bhd", "LAN HING STATIONERY SDN BHD", 1.0),  # case ignored
        ("LANHINGSTATIONERYSDNBHD", "LAN HING STATIONERY SDN BHD", 0.0),  # run together: none found
        ("TotalAmt Incl. GST", "Total Amt Incl. GST", 0.5),
        ("GST Total", "Total GST", 0.5),  # in order
        ("", "", 1.0),
        ("noise", "", 0.0),
    ],
)
def test_words_found_counts_the_truth_s_words_read_apart_and_in_order(read, truth, share):
    assert words_found(read, truth) == share


def test_a_lost_space_costs_one_character_but_two_words():
    read, truth = "STATIONERYSDN BHD", "STATIONERY SDN BHD"

    assert character_accuracy(read, truth) > 0.94
    assert words_found(read, truth) == pytest.approx(1 / 3)
