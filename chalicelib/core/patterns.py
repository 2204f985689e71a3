"""OpenAPI's patterns (ECMA-262 regular expressions) as Python's ``re`` reads them."""
from typing import Any

__all__ = ["ecma_pattern", "ecma_patterns"]

# OpenAPI's patterns are ECMA-262 regular expressions; Python's re reads a few things otherwise:
# ``$`` also matches before a final newline, and \d, \w, \s take in all of Unicode's digits,
# letters and spaces. These rewrites give Python the ECMA meaning.
_ECMA_ESCAPES = {"d": "0-9", "w": "A-Za-z0-9_",
                 "s": " \\t\\n\\r\\f\\v\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029"
                      "\\u202f\\u205f\\u3000\\ufeff"}


def ecma_pattern(pattern: str) -> str:
    """``pattern`` (ECMA-262) as a Python regular expression with the same meaning."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escape = pattern[i + 1]
            if escape.lower() in _ECMA_ESCAPES:
                chars = _ECMA_ESCAPES[escape.lower()]
                negated = escape.isupper()
                if in_class and negated:  # rare enough to leave to Python's reading
                    out.append(pattern[i:i + 2])
                elif in_class:
                    out.append(chars)
                else:
                    out.append(f"[{'^' if negated else ''}{chars}]")
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            char = r"(?![\s\S])"
        out.append(char)
        i += 1
    return "".join(out)


def ecma_patterns(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: ecma_pattern(value) if key == "pattern" and isinstance(value, str)
                else ecma_patterns(value) for key, value in node.items()}
    if isinstance(node, list):
        return [ecma_patterns(value) for value in node]
    return node
