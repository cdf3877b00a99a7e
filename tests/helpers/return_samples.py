"""Small SSDA903 and CIN census returns written by hand, with the mistakes authorities make."""

from __future__ import annotations

EPISODE_HEADING = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
EPISODES = f"""{EPISODE_HEADING}
A,01/04/2020,S,C2,N1,U1,PR1,10/05/2020,X1,,AB1 2CD,,
A,10/05/2020,P,C2,N1,U2,PR1,01/06/2020,E11,,AB1 2CD,,
A,01/09/2020,S,C2,N1,U1,PR1,,,,ZZ9 9ZZ,,
B,01/01/2021,S,V3,N1,U1,PR1,05/01/2021,X1,,AB1 2CD,,
B,05/01/2021,L,C1,N1,U1,PR1,,,,,,
C,01/02/2021,S,C2,N1,U1,PR1,01/01/2021,E11,,AB1 2CD,,
D,01/03/2021,S,C2,N1,U1,PR1,,,,AB1 4CD,,
D,01/03/2021,S,C2,N1,U1,PR1,,,,AB1 4CD,,
E,31/02/2021,S,C2,N1,U1,PR1,,,,AB1 2CD,,
F,01/03/2021,S,E1,N1,U1,PR1,02/03/2021,X1,,,,
F,02/03/2021,P,E1,N1,U1,PR1,,,,ab13cd,,
"""
HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
A,1,01/01/2010,WBRI,A123,,
B,2,01/01/2011,XXXX,B123,,
D,M,01/01/2012,CHNE,D123,,
"""


def child(child_id: str, details: str, sex: str = "<Sex>F</Sex>", ethnicity: str = "BAFR") -> str:
    """One <Child> of a CIN census, with identifiers, ethnicity and the given details."""
    return f"""<Child><ChildIdentifiers><LAchildID>{child_id}</LAchildID>
    <PersonBirthDate>2015-03-27</PersonBirthDate>{sex}</ChildIdentifiers>
    <ChildCharacteristics><Ethnicity>{ethnicity}</Ethnicity></ChildCharacteristics>
    {details}</Child>"""


def cin(referral: str, closure: str = "", nfa: str = "0", plans: str = "") -> str:
    """One <CINdetails> episode, closed or open, with its plans."""
    closed = f"<CINclosureDate>{closure}</CINclosureDate>" if closure else ""
    return f"""<CINdetails><CINreferralDate>{referral}</CINreferralDate>
    <ReferralSource>1A</ReferralSource>{closed}<ReferralNFA>{nfa}</ReferralNFA>{plans}</CINdetails>"""


def plan(start: str, end: str = "") -> str:
    """One <ChildProtectionPlans> element, ended or open."""
    ended = f"<CPPendDate>{end}</CPPendDate>" if end else ""
    return f"""<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate>{ended}
    <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>
    <NumberOfPreviousCPP>0</NumberOfPreviousCPP></ChildProtectionPlans>"""


def census(children: str, year: str = "2025", reference: str = "2025-03-31") -> bytes:
    """A whole CIN census message around the given children."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>
<ReferenceDate>{reference}</ReferenceDate></CollectionDetails>
<Source><SourceLevel>L</SourceLevel><LEA>201</LEA></Source></Header>
<Children>{children}</Children></Message>""".encode()


ADDRESSES = b"""LAchildID,Postcode,Valid from,Valid to
K1,AB1 2CD,2020-01-01,2024-06-30
K1,AB1 4CD,2024-07-01,
K2,ZZ9 9ZZ,,
K3,AB1 3CD,2026-01-01,
"""

CHILDREN = (
    child("K1", cin("2024-05-01", "2024-12-01", "false", plan("2024-06-01", "2024-11-01")))
    + child("K1", cin("2025-01-10", nfa="true"), sex="<Sex>F</Sex>")
    + child("K2", cin("2024-09-09", "2024-10-01", "1"), sex="<Sex>M</Sex>", ethnicity="ZZZZ")
    + child("K3", cin("2024-04-02", nfa="0"), sex="<Sex>U</Sex>")
    + child("K4", cin("2024-13-45", nfa="0"))
    + child("K5", cin("2024-04-02", "2024-03-01", "0"))
)
