def letters_in(text: str) -> list[str]:
    """The alphabetic characters of `text` in reading order, one per item (v1.0.0's "letters").

    Alphabetic is `str.isalpha()`, so letters of any script count and digits, punctuation and
    white space do not.
    """
    return [character for character in text if character.isalpha()]
