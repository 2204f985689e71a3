"""The cost of one password hash at the stored parameters (a customer's create): time and
the memory it needs, against the scrypt parameters it replaced."""
import base64
import hashlib
import os
import statistics
import time

from chalicelib.accounts import passwords

RUNS = 15


def _median_ms(work) -> float:
    work()  # the first pays for imports
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parameters = passwords.ARGON2_PARAMETERS
    stored = passwords.hash_password("Demo-Password-2026")
    old = "$".join(("scrypt", "16384", "8", "1", base64.b64encode(os.urandom(16)).decode(),
                    base64.b64encode(b"0" * 32).decode()))
    print(f"\n## One password hash (median of {RUNS})")
    print(f"  argon2id m={parameters['memory_cost'] // 1024} MiB t={parameters['time_cost']} "
          f"p={parameters['parallelism']}: hash "
          f"{_median_ms(lambda: passwords.hash_password('Demo-Password-2026')):.1f} ms, verify "
          f"{_median_ms(lambda: passwords.verify_password('Demo-Password-2026', stored)):.1f} ms"
          " (goal: OWASP's parameters, under 100 ms)")
    print(f"  scrypt N=2^14 r=8 p=1 (16 MiB, older hashes), verify: "
          f"{_median_ms(lambda: passwords.verify_password('x', old)):.1f} ms")
    print(f"  scrypt N=2^17 r=8 p=1 (128 MiB, OWASP's scrypt floor), hash: "
          f"{_median_ms(_scrypt_at_owasp_floor):.1f} ms")


def _scrypt_at_owasp_floor() -> None:
    hashlib.scrypt(b"x", salt=b"0" * 16, n=2 ** 17, r=8, p=1, maxmem=2 ** 28, dklen=32)


if __name__ == "__main__":
    main()
