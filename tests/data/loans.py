"""The loans fixture: ``sub_grade`` (35 values) restates the target ``grade`` (7 classes)."""

import numpy as np
import pandas as pd


def loans(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Income, term, purpose, a near-unique reference, and ``sub_grade`` -> ``grade``."""
    rng = np.random.default_rng(seed)
    score = rng.normal(size=n)
    sub = np.clip(((score + 2.5) / 5 * 35).astype(int), 0, 34)
    return pd.DataFrame(
        {
            "income": rng.lognormal(10.8, 0.5, n).round(0) + 1000 * score,
            "term": rng.choice(["36 months", "60 months"], n),
            "purpose": rng.choice(["car", "debt", "home", "other"], n),
            "loan_ref": [f"L{i % 1500:05d}" for i in range(n)],  # near-unique, not a leak
            "sub_grade": [f"{'ABCDEFG'[s // 5]}{s % 5 + 1}" for s in sub],
            "grade": ["ABCDEFG"[s // 5] for s in sub],
        }
    )
