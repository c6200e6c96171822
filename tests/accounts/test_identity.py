"""ID numbers (GB 11643), phone numbers and masking."""

from datetime import date

import pytest

from app.accounts.identity import (
    id_check_char,
    id_sex,
    is_valid_id_number,
    is_valid_phone,
    mask_id_number,
    mask_name,
    mask_phone,
)


@pytest.mark.parametrize(
    ("id_number", "valid"),
    [
        ("11010519491231002X", True),  # the standard's own example
        ("11010519491231002x", True),  # lower-case x is accepted and normalised
        ("110105194912310021", False),  # wrong check character
        ("430702199002301234", False),  # 30 February
        ("43070219900101123", False),  # 17 characters
        ("4307021990010112345", False),  # 19 characters
        ("43070221000101123X", False),  # born in the future
        ("43070218000101123X", False),  # before 1900
        ("4307021990010112 4", False),
        ("", False),
    ],
)
def test_id_numbers_are_checked_by_length_birth_date_and_check_character(id_number, valid):
    assert is_valid_id_number(id_number, today=date(2020, 2, 20)) is valid


def test_check_character_can_be_x():
    assert id_check_char("11010519491231002") == "X"


def test_sex_comes_from_the_seventeenth_digit():
    assert id_sex("11010519491231002X") == "F"
    assert id_sex("110105194912310011"[:17] + "0") == "M"


@pytest.mark.parametrize(
    ("phone", "valid"),
    [
        ("13800000001", True),
        ("19912345678", True),
        ("12800000001", False),
        ("1380000000", False),
        ("138000000011", False),
        ("1380000000a", False),
        ("+8613800000001", False),
    ],
)
def test_mainland_mobile_numbers(phone, valid):
    assert is_valid_phone(phone) is valid


def test_masks_show_only_what_a_checkpoint_needs():
    assert mask_id_number("43070219900101123X") == "4307**********123X"
    assert mask_phone("13800000001") == "138****0001"
    assert mask_name("张三") == "张*"
    assert mask_name("张小三") == "张*三"
    assert mask_name("欧阳娜娜") == "欧*娜"
    assert mask_name("李") == "李"
