"""How far apart two readings are."""


def edit_distance(a, b) -> int:
    """Levenshtein distance between two sequences (of characters, or of words): insertions,
    deletions and substitutions, each costing one."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]
