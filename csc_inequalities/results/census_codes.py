"""Names of the CIN census codes the decision cascade reports (DfE's 2025/26 schema, shortened)."""

from __future__ import annotations

PRIMARY_NEED = {
    "N1": "Abuse, neglect and exploitation",
    "N2": "Child's disability",
    "N3": "Parental disability or illness",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
    "N9": "Cases other than children in need",
    "N0": "Not stated",
}
CATEGORY_OF_ABUSE = {
    "NEG": "Neglect",
    "EMO": "Emotional abuse",
    "PHY": "Physical abuse",
    "SAB": "Sexual abuse",
    "MUL": "Multiple or not recommended",
}
ASSESSMENT_FACTORS = {
    "1A": "Alcohol misuse: child",
    "1B": "Alcohol misuse: parent or carer",
    "1C": "Alcohol misuse: other person in the household",
    "2A": "Drug misuse: child",
    "2B": "Drug misuse: parent or carer",
    "2C": "Drug misuse: other person in the household",
    "3A": "Domestic abuse: child the subject",
    "3B": "Domestic abuse: parent or carer the subject",
    "3C": "Domestic abuse: other person in the household the subject",
    "4A": "Mental health: child",
    "4B": "Mental health: parent or carer",
    "4C": "Mental health: other person in the household",
    "5A": "Learning disability: child",
    "5B": "Learning disability: parent or carer",
    "5C": "Learning disability: other person in the household",
    "6A": "Physical disability or illness: child",
    "6B": "Physical disability or illness: parent or carer",
    "6C": "Physical disability or illness: other person in the household",
    "7A": "Young carer",
    "8B": "Privately fostered: overseas, intending to return",
    "8C": "Privately fostered: overseas, intending to stay",
    "8D": "Privately fostered: UK, educational placement",
    "8E": "Privately fostered: UK, alternative family arrangement",
    "8F": "Privately fostered: other",
    "9A": "Unaccompanied asylum-seeking child",
    "10A": "Going or being missing",
    "11A": "Child sexual exploitation",
    "12A": "Trafficking",
    "13A": "Gangs",
    "14A": "Socially unacceptable behaviour",
    "15A": "Self-harm",
    "16A": "Neglect",
    "17A": "Emotional abuse",
    "18A": "Physical abuse",
    "18B": "Physical abuse by another child",
    "18C": "Physical abuse by an adult",
    "19A": "Sexual abuse",
    "19B": "Sexual abuse by another child",
    "19C": "Sexual abuse by an adult",
    "20": "Other",
    "21": "No factors identified",
    "22A": "Female genital mutilation",
    "23A": "Abuse linked to faith or belief",
    "24A": "Child criminal exploitation",
}
NOT_RECORDED = "Not recorded"


def code_name(names: dict[str, str], code: str) -> str:
    """A code's name, or the code itself marked unknown when the schema does not list it."""
    return names.get(code, f"{code} (not a census code)")
