"""The messy fixture: missing values, categoricals, an ID, a leak, a date, free text, a rare class."""

import numpy as np
import pandas as pd

DROPPED = {"customer_id", "source", "outcome_code", "notes"}


def make_messy(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """A table whose target ``segment`` is learnable from age, income, plan and signup month."""
    rng = np.random.default_rng(seed)
    age = rng.normal(45, 12, n).round()
    income = rng.lognormal(10.5, 0.4, n).round(2)
    plan = rng.choice(["basic", "pro", "enterprise"], n, p=[0.5, 0.35, 0.15])
    signup = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    score = (age - 45) / 12 + (np.log(income) - 10.5) / 0.4 + (plan == "enterprise") * 1.5
    segment = np.where(score > 0.8, "gold", np.where(score > -0.6, "silver", "bronze")).astype(
        object
    )
    rare = rng.choice(n, 14, replace=False)
    segment[rare] = "platinum"
    age[rare] += 40
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "age": age,
            "income": income,
            "plan": plan,
            "region": rng.choice(
                ["north", "south", "east", "west", "islands"], n, p=[0.3, 0.3, 0.2, 0.19, 0.01]
            ),
            "signup": signup.strftime("%Y-%m-%d"),
            "source": "web",
            "outcome_code": pd.Series(segment).map(
                {"gold": "G1", "silver": "S1", "bronze": "B1", "platinum": "P1"}
            ),
            "notes": [
                f"customer {i} called about their {p} plan and asked several questions today"
                for i, p in enumerate(plan)
            ],
            "segment": segment,
        }
    )
    frame.loc[rng.choice(n, 60, replace=False), "age"] = np.nan
    frame.loc[rng.choice(n, 40, replace=False), "plan"] = None
    frame.loc[rng.choice(n, 5, replace=False), "segment"] = None
    return frame
