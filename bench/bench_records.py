"""Time load_records on 100,000 SSDA903 episodes and a 50,000-child CIN census, with postcodes.

Run: .venv/bin/python bench/bench_records.py [LA_CODE]  (needs the built reference store).
Synthetic files are made in memory from the store's real postcodes; nothing is written.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from csc_inequalities.records.geography import store_geography
from csc_inequalities.records.load import load_records
from csc_inequalities.reference.store import load_store

ETHNICITIES = np.array(["WBRI", "WOTH", "MWBC", "AIND", "APKN", "BAFR", "CHNE", "REFU", "XXXX"])
EPISODES = 100_000
CIN_CHILDREN = 50_000


def spaced(postcodes: np.ndarray) -> np.ndarray:
    """Postcodes written as people write them ('AB1 2CD')."""
    return np.array([f"{code[:-3]} {code[-3:]}" for code in postcodes])


def sample_postcodes(store, la_code: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Mostly the authority's postcodes, some elsewhere, a few made up."""
    table = store.postcodes()
    local = table.loc[table["la_code"] == la_code, "postcode"].to_numpy()
    other = table["postcode"].sample(5_000, random_state=1).to_numpy()
    choice = rng.random(n)
    codes = np.where(choice < 0.9, rng.choice(local, n), rng.choice(other, n))
    codes[choice > 0.99] = "ZZ99 9ZZ"
    return spaced(codes)


def ssda903_files(store, la_code: str, rng: np.random.Generator) -> list[tuple[str, bytes]]:
    """Header and Episodes tables: 100,000 episodes, about three per child."""
    children = EPISODES // 3 + 1
    child = np.repeat(np.arange(children), 3)[:EPISODES]
    step = np.tile([0, 1, 2], children)[:EPISODES]
    start = pd.Timestamp("2019-04-01") + pd.to_timedelta(rng.integers(0, 1500, EPISODES), "D")
    start = start - pd.to_timedelta(step * 0, "D")
    first = pd.Series(start).groupby(child).transform("first")
    decom = first + pd.to_timedelta(step * 60, "D")
    dec = decom + pd.to_timedelta(60, "D")
    last = step == 2
    episodes = pd.DataFrame(
        {
            "CHILD": child.astype(str),
            "DECOM": decom.dt.strftime("%d/%m/%Y"),
            "RNE": np.where(step == 0, "S", "P"),
            "LS": rng.choice(["C2", "C1", "E1", "V3"], EPISODES, p=[0.6, 0.2, 0.15, 0.05]),
            "CIN": "N1",
            "PLACE": "U1",
            "PLACE_PROVIDER": "PR1",
            "DEC": np.where(last & (rng.random(EPISODES) < 0.4), "", dec.dt.strftime("%d/%m/%Y")),
            "REC": np.where(last, "E11", "X1"),
            "REASON_PLACE_CHANGE": "",
            "HOME_POST": np.repeat(sample_postcodes(store, la_code, children, rng), 3)[:EPISODES],
            "PL_POST": "",
            "URN": "SC123456",
        }
    )
    header = pd.DataFrame(
        {
            "CHILD": np.arange(children).astype(str),
            "SEX": rng.choice(["1", "2"], children),
            "DOB": "01/01/2012",
            "ETHNIC": rng.choice(ETHNICITIES, children),
            "UPN": "A123456789012",
            "MOTHER": "",
            "MC_DOB": "",
        }
    )
    return [
        ("episodes.csv", episodes.to_csv(index=False).encode()),
        ("header.csv", header.to_csv(index=False).encode()),
    ]


def cin_files(store, la_code: str, rng: np.random.Generator) -> list[tuple[str, bytes]]:
    """A CIN census XML of 50,000 children (some with plans) and their address extract."""
    days = rng.integers(0, 700, CIN_CHILDREN)
    referral = pd.Timestamp("2023-04-01") + pd.to_timedelta(days, "D")
    closure = referral + pd.to_timedelta(rng.integers(10, 300, CIN_CHILDREN), "D")
    plans = rng.random(CIN_CHILDREN) < 0.15
    ethnicity = rng.choice(ETHNICITIES[:-1], CIN_CHILDREN)
    parts = [
        "<?xml version='1.0' encoding='UTF-8'?><Message><Header><CollectionDetails>"
        "<Collection>CIN</Collection><Year>2025</Year><ReferenceDate>2025-03-31</ReferenceDate>"
        "</CollectionDetails><Source><SourceLevel>L</SourceLevel><LEA>201</LEA></Source></Header>"
        "<Children>"
    ]
    for i in range(CIN_CHILDREN):
        start, end = referral[i].date().isoformat(), closure[i].date().isoformat()
        plan = (
            f"<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate><CPPendDate>{end}"
            "</CPPendDate><InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
            "<LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse><NumberOfPreviousCPP>0"
            "</NumberOfPreviousCPP></ChildProtectionPlans>"
            if plans[i]
            else ""
        )
        parts.append(
            f"<Child><ChildIdentifiers><LAchildID>C{i}</LAchildID><UPNunknown>UN1</UPNunknown>"
            f"<PersonBirthDate>2014-05-06</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>"
            f"<ChildCharacteristics><Ethnicity>{ethnicity[i]}</Ethnicity></ChildCharacteristics>"
            f"<CINdetails><CINreferralDate>{start}</CINreferralDate><ReferralSource>1A"
            f"</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode><CINclosureDate>{end}"
            f"</CINclosureDate><ReasonForClosure>RC1</ReasonForClosure>"
            f"<ReferralNFA>0</ReferralNFA>{plan}</CINdetails></Child>"
        )
    parts.append("</Children></Message>")
    addresses = pd.DataFrame(
        {
            "child_id": [f"C{i}" for i in range(CIN_CHILDREN)],
            "postcode": sample_postcodes(store, la_code, CIN_CHILDREN, rng),
            "from_date": "2020-01-01",
        }
    )
    return [
        ("cin.xml", "".join(parts).encode()),
        ("addresses.csv", addresses.to_csv(index=False).encode()),
    ]


def timed(label: str, files, la_code: str, store, repeats: int = 3) -> None:
    """Load a few times; print the best wall-clock and CPU seconds, spells used and issues."""
    size = sum(len(content) for _, content in files) / 1048576
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = load_records(files, la_code, store)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    print(
        f"{label:<30} {size:5.1f} MB  wall {min(walls):5.2f} s (worst {max(walls):5.2f})  "
        f"cpu {min(cpus):5.2f} s  spells used {len(result.spells):>6}  "
        f"issues {len(result.issues):>6}"
    )


def main() -> None:
    """Build the synthetic files and time cold and warm loads."""
    la_code = sys.argv[1] if len(sys.argv) > 1 else "E08000025"
    rng = np.random.default_rng(2025)
    store = load_store()
    ssda903 = ssda903_files(store, la_code, rng)
    cin = cin_files(store, la_code, rng)
    started = time.perf_counter()
    store_geography(store)
    print(f"index the postcode directory once per process: {time.perf_counter() - started:.2f} s")
    timed("SSDA903, 100,000 episodes", ssda903, la_code, store)
    timed("CIN census, 50,000 children", cin, la_code, store)


if __name__ == "__main__":
    main()
