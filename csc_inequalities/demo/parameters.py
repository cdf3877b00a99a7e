"""Modelling assumptions of the synthetic demonstration data, gathered in one place.

Volumes, the deprivation gradient and the ethnic mix come from the reference store (DfE's
published rates for the authority, CWIP's national gradient, Census 2021). What the store
cannot give (how long spells last, ages at entry, how care episodes follow one another) is set
here as rounded assumptions, shaped after DfE's national statistics for 2024/25
("Children in need", "Children looked after in England including adoptions"). They only need
to make plausible records: no result shown on screen is read from this module.
"""

from __future__ import annotations

from dataclasses import dataclass

DAYS_PER_YEAR = 365.25

# Age bands (years, lower inclusive, upper exclusive) and the share of spells starting in each.
AGE_BANDS = ((0, 1), (1, 5), (5, 10), (10, 16), (16, 18))
AGE_AT_START = {
    "CIN": (0.07, 0.18, 0.25, 0.38, 0.12),
    "CPP": (0.12, 0.27, 0.29, 0.29, 0.03),
    "CLA": (0.17, 0.10, 0.12, 0.38, 0.23),
}
SHARE_MALE = {"CIN": 0.53, "CPP": 0.50, "CLA": 0.56}

# Relative likelihood by Census 2021 broad group (White = 1): Mixed and Black children are
# over-represented among looked after children, Asian children under-represented.
ETHNIC_RELATIVE_RATE = {
    "CIN": {"White": 1.0, "Mixed": 1.4, "Asian": 0.6, "Black": 1.3, "Other": 1.3},
    "CPP": {"White": 1.0, "Mixed": 1.4, "Asian": 0.6, "Black": 1.0, "Other": 0.9},
    "CLA": {"White": 1.0, "Mixed": 1.6, "Asian": 0.5, "Black": 1.4, "Other": 1.8},
}
# Children whose ethnicity was refused or not yet obtained.
SHARE_ETHNICITY_NOT_KNOWN = {"REFU": 0.004, "NOBT": 0.008}

# Where a child's home postcode is not a usable address in the authority (documented in
# the demo's notes so the validation summary shows real cases).
SHARE_HOME_OUTSIDE = 0.02
SHARE_HOME_UNKNOWN = 0.01
# NHS pseudo-postcode for "address not known" (England), as case systems record it.
POSTCODE_NOT_KNOWN = "ZZ99 3CZ"
# Of the unknown homes, the share left blank (the rest carry the pseudo-postcode).
SHARE_UNKNOWN_LEFT_BLANK = 0.5
# Children whose address extract shows an earlier address before the current one.
SHARE_MOVED_BEFORE_REFERRAL = 0.12
# Where looked after children are placed: in the authority, elsewhere in its region, anywhere.
PLACEMENT_LOCATION = {"authority": 0.60, "region": 0.30, "england": 0.10}


@dataclass(frozen=True)
class ReferralMix:
    """Shares of CIN referrals by outcome, and their lengths in days."""

    no_further_action: float = 0.065
    closed_after_assessment: float = 0.31
    nfa_days: tuple[int, int] = (0, 3)
    assessment_days: tuple[int, int] = (10, 60)
    plan_mean_years: float = 0.9
    plan_shape: float = 1.5


REFERRALS = ReferralMix()


@dataclass(frozen=True)
class Rereferrals:
    """Referrals of a child whose earlier episode closed not long before (DfE: about 1 in 5)."""

    share: float = 0.22
    days_since_closure: tuple[int, int] = (14, 365)


REREFERRALS = Rereferrals()


@dataclass(frozen=True)
class ProtectionPath:
    """How a child protection plan sits inside its CIN episode."""

    referral_to_plan_days: tuple[int, int] = (15, 45)
    plan_mean_years: float = 0.75
    plan_shape: float = 2.0
    step_down_days: tuple[int, int] = (30, 240)
    share_previous_plan: float = 0.22
    share_category_unchanged: float = 0.9


PROTECTION = ProtectionPath()


@dataclass(frozen=True)
class EnquiryPath:
    """Section 47 enquiries and conferences that lead to no plan, per plan started.

    In DfE's national figures (Characteristics of children in need, 2023/24 and 2024/25) each
    plan started goes with about 3.4 section 47 enquiries and 1.2 initial conferences: most
    enquiries need no conference, and some conferences decide on no plan.
    """

    enquiries_per_plan: float = 3.4
    conferences_per_plan: float = 1.2
    after_assessment_start_days: tuple[int, int] = (0, 10)
    conference_after_enquiry_days: tuple[int, int] = (8, 15)


ENQUIRIES = EnquiryPath()

# Factors identified at assessment: the share of assessments recording each (each drawn on its
# own, so an assessment can record several), shaped after DfE's 2024/25 factors table; an
# assessment with none records 21 (no factors identified).
ASSESSMENT_FACTORS = {
    "4B": 0.32,
    "3B": 0.30,
    "3A": 0.18,
    "17A": 0.19,
    "16A": 0.17,
    "2B": 0.15,
    "4A": 0.15,
    "1B": 0.13,
    "5A": 0.06,
    "14A": 0.06,
    "18C": 0.08,
    "10A": 0.05,
    "24A": 0.04,
    "11A": 0.03,
    "6B": 0.04,
    "19C": 0.03,
}


@dataclass(frozen=True)
class CarePath:
    """Periods of care: how long they last and how they are split into 903 episodes."""

    share_short: float = 0.35
    short_mean_years: float = 0.3
    long_mean_years: float = 4.5
    share_after_plan: float = 0.40
    referral_before_care_days: tuple[int, int] = (0, 120)
    placement_moves_per_year: float = 0.45
    legal_changes_per_year: float = 0.25
    # Short breaks (V3/V4) for disabled children: children per 100 looked after at 31 March.
    short_break_children_per_100: float = 6.0
    short_break_plan_mean_years: float = 4.0
    short_break_ages: tuple[int, int] = (3, 14)
    short_break_stays: tuple[int, int] = (4, 16)
    short_break_nights: tuple[int, int] = (1, 4)


CARE = CarePath()

# 903 codes used for synthetic episodes, with their shares.
FIRST_LEGAL_STATUS = {"V2": 0.45, "C2": 0.45, "L1": 0.04, "L2": 0.03, "J2": 0.03}
LATER_LEGAL_STATUS = {"C1": 0.60, "C2": 0.25, "V2": 0.10, "E1": 0.05}
PLACEMENTS = {
    "U1": 0.10,
    "U3": 0.35,
    "U4": 0.05,
    "U6": 0.12,
    "K2": 0.13,
    "P1": 0.07,
    "R2": 0.03,
    "S1": 0.03,
    "A4": 0.04,
    "Z1": 0.08,
}
SHORT_BREAK_PLACEMENTS = {"K2": 0.6, "U4": 0.4}
PROVIDERS = {"PR1": 0.45, "PR4": 0.40, "PR2": 0.05, "PR3": 0.05, "PR5": 0.05}
CATEGORY_OF_NEED = {
    "N1": 0.65,
    "N2": 0.03,
    "N3": 0.02,
    "N4": 0.06,
    "N5": 0.12,
    "N6": 0.02,
    "N7": 0.01,
    "N8": 0.09,
}
REASON_CARE_ENDED = {"E4A": 0.35, "E11": 0.12, "E45": 0.10, "E41": 0.06, "E13": 0.07, "E8": 0.30}
REASON_CARE_ENDED_AT_18 = {"E5": 0.35, "E6": 0.15, "E17": 0.30, "E7": 0.05, "E8": 0.15}
REASON_PLACE_CHANGE = {"CARPL": 0.30, "CHILD": 0.15, "PLACE": 0.25, "LAREQ": 0.15, "OTHER": 0.15}
REFERRAL_SOURCES = {
    "5A": 0.30,
    "2A": 0.20,
    "3A": 0.12,
    "1A": 0.08,
    "6": 0.10,
    "4": 0.08,
    "8": 0.06,
    "10": 0.06,
}
PRIMARY_NEED = {
    "N1": 0.55,
    "N2": 0.10,
    "N3": 0.05,
    "N4": 0.07,
    "N5": 0.13,
    "N6": 0.03,
    "N8": 0.04,
}
CATEGORY_OF_ABUSE = {"NEG": 0.52, "EMO": 0.34, "PHY": 0.07, "SAB": 0.04, "MUL": 0.03}
