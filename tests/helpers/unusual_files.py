"""Unusual and hostile files of the kinds authorities (and attackers) really upload.

Each case is built in memory from a small, valid Episodes/Header pair or extract, then bent:
encodings, delimiters, date styles, column names, XML attacks, archive bombs, wide and long
files, spreadsheet formulas. A case says what must happen: read, with a given number of
spells, or refused with a message naming the file and what to do. The unit tests run them
small; bench/bench_intake.py runs the size-bound ones at the full upload limit.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import Workbook

from csc_inequalities.records import sniff

Files = list[tuple[str, bytes]]

EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST\n"
    "101,01/04/2023,S,C2,N1,U1,PR1,,,,AB1 2CD\n"
    "102,15/05/2023,S,C2,N1,U1,PR1,,,,AB1 3CD\n"
    "103,01/06/2023,S,C2,N1,U1,PR1,20/12/2023,E11,,AB1 4CD\n"
)
HEADER = (
    "CHILD,SEX,DOB,ETHNIC\n101,1,01/01/2015,WBRI\n102,2,01/01/2016,APKN\n103,1,01/01/2017,BAFR\n"
)
EXTRACT_ROWS = [
    ("C1", "CPP", "2024-04-02", "AB1 2CD"),
    ("C2", "CLA", "2024-05-13", "AB1 3CD"),
    ("C3", "CIN", "2024-06-24", "AB1 4CD"),
]


@dataclass(frozen=True)
class Case:
    """One unusual upload and what the tool must do with it."""

    name: str
    kind: str
    # Files for an upload limit of this many megabytes (size-bound cases grow with it).
    files: Callable[[float], Files]
    spells: int | None = None
    refused: str | None = None
    size_bound: bool = False


def extract_csv(
    rows=EXTRACT_ROWS, heading="Child ID,Type,Start date,Post Code", separator=","
) -> str:
    """A small case-system extract as CSV text."""
    lines = [heading.replace(",", separator)]
    lines += [separator.join(row) for row in rows]
    return "\n".join(lines) + "\n"


def workbook(rows: list[list]) -> bytes:
    """A one-sheet workbook holding the rows (numbers stay numbers)."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes], level: int = 9) -> bytes:
    """A zip archive of the members, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def bomb_workbook(expanded_mb: float) -> bytes:
    """A workbook-shaped zip whose sheet expands about 170-fold and lies about nothing."""
    rows = b"<row><c><v>0</v></c></row>" * int(expanded_mb * 40_000)
    sheet = b"<sheetData>" + rows + b"</sheetData>"
    return zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                   "xl/worksheets/sheet1.xml": sheet})  # fmt: skip


def lying_bomb(expanded_mb: float) -> bytes:
    """A zip bomb whose headers claim its sheet is tiny: only streaming the parts catches it."""
    content = zip_of({"xl/worksheets/sheet1.xml": b"0" * int(expanded_mb * 1_048_576)})
    header = content.find(b"PK\x01\x02")  # the central directory entry of the sheet
    size_at = header + 24
    return content[:size_at] + (100).to_bytes(4, "little") + content[size_at + 4 :]


def episodes_with(dates: list[str]) -> str:
    """Episodes whose DECOM cells are the given dates."""
    lines = EPISODES.splitlines()
    rows = [line.split(",") for line in lines[1:]]
    for row, day in zip(rows, dates, strict=True):
        row[1] = day
    return "\n".join([lines[0], *[",".join(row) for row in rows]]) + "\n"


def billion_laughs() -> bytes:
    """Nested entities that would expand to a billion 'ha's if a parser resolved them."""
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return (
        f'<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY l0 "ha">{entities}]>'
        "<Message>&l9;</Message>"
    ).encode()


CIN_XML = (
    '<?xml version="1.0" encoding="{encoding}"?><Message><Header><Collection>CIN</Collection>'
    "<Year>2024</Year><ReferenceDate>2024-03-31</ReferenceDate></Header><Children><Child>"
    "<ChildIdentifiers><LAchildID>101</LAchildID><PersonBirthDate>2015-01-01</PersonBirthDate>"
    "<GenderCurrent>1</GenderCurrent></ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI"
    "</Ethnicity></ChildCharacteristics><CINdetails><CINreferralDate>2023-06-01</CINreferralDate>"
    "<ReferralNFA>false</ReferralNFA></CINdetails></Child></Children></Message>"
)
ADDRESSES = "LAchildID,Postcode\n101,AB1 2CD\n"
WINDOWS_HEADER = HEADER.replace("ETHNIC\n", "ETHNIC,Notes\n").replace(
    "WBRI\n", "WBRI,Zoë paid £5\n"
)


def cases() -> list[Case]:
    """Every unusual upload, grouped by what makes it unusual."""
    e, h = EPISODES, HEADER
    pair = lambda episodes=e, header=h, enc="utf-8": [  # noqa: E731
        ("episodes.csv", episodes.encode(enc)),
        ("header.csv", header.encode(enc)),
    ]
    return [
        # encodings
        Case("UTF-8", "encoding", lambda n: pair(), spells=3),
        Case("UTF-8 with BOM", "encoding", lambda n: pair(enc="utf-8-sig"), spells=3),
        Case(
            "Windows-1252",
            "encoding",
            lambda n: pair(header=WINDOWS_HEADER, enc="cp1252"),
            spells=3,
        ),
        Case("UTF-16 (Excel 'Unicode text')", "encoding", lambda n: pair(enc="utf-16"), spells=3),
        Case("UTF-16 big-endian, no BOM", "encoding", lambda n: pair(enc="utf-16-be"), spells=3),
        Case(
            "gzip renamed .csv",
            "encoding",
            lambda n: [("episodes.csv", gzip.compress(e.encode()))],
            refused="is a gzip-compressed file",
        ),
        Case(
            "PDF renamed .csv",
            "encoding",
            lambda n: [("episodes.csv", b"%PDF-1.7\n" + b"x" * 50)],
            refused="is a PDF document",
        ),
        Case(
            "random binary",
            "encoding",
            lambda n: [("episodes.csv", bytes(range(256)) * 8)],
            refused="not a text file",
        ),
        Case("empty file", "encoding", lambda n: [("episodes.csv", b"")], refused="is empty"),
        Case(
            "headings only",
            "encoding",
            lambda n: [("episodes.csv", e.splitlines()[0].encode())],
            refused="but no records",
        ),
        # delimiters and line ends
        Case(
            "semicolons",
            "delimiter",
            lambda n: pair(e.replace(",", ";"), h.replace(",", ";")),
            spells=3,
        ),
        Case(
            "tabs",
            "delimiter",
            lambda n: pair(e.replace(",", "\t"), h.replace(",", "\t")),
            spells=3,
        ),
        Case(
            "vertical bars",
            "delimiter",
            lambda n: pair(e.replace(",", "|"), h.replace(",", "|")),
            spells=3,
        ),
        Case(
            "Windows line ends",
            "delimiter",
            lambda n: pair(e.replace("\n", "\r\n"), h.replace("\n", "\r\n")),
            spells=3,
        ),
        Case(
            "quoted cells",
            "delimiter",
            lambda n: pair(e.replace("AB1 2CD", '"AB1 2CD"'), h.replace("WBRI", '"WBRI"')),
            spells=3,
        ),
        Case(
            "unbalanced quote",
            "delimiter",
            lambda n: [("extract.csv", extract_csv().replace("C2,", '"C2,').encode())],
            refused="never closed",
        ),
        Case(
            "trailing separators",
            "delimiter",
            lambda n: pair(e.replace("\n", ",,\n").replace("HOME_POST,,", "HOME_POST,X,Y")),
            spells=3,
        ),
        # dates
        Case(
            "ISO dates",
            "date",
            lambda n: pair(episodes_with(["2023-04-01", "2023-05-15", "2023-06-01"])),
            spells=3,
        ),
        Case(
            "US month-first dates",
            "date",
            lambda n: pair(episodes_with(["04/01/2023", "05/15/2023", "06/01/2023"])),
            spells=3,
        ),
        Case(
            "Excel day numbers",
            "date",
            lambda n: pair(episodes_with(["45017", "45061", "45078"])),
            spells=3,
        ),
        Case(
            "text months",
            "date",
            lambda n: pair(episodes_with(["1 Apr 2023", "15-May-2023", "1 June 2023"])),
            spells=3,
        ),
        Case(
            "two-digit years",
            "date",
            lambda n: pair(episodes_with(["01/04/23", "15/05/23", "01/06/23"])),
            spells=3,
        ),
        Case(
            "dates with times",
            "date",
            lambda n: pair(
                episodes_with(["01/04/2023 00:00", "15/05/2023 09:30:00", "2023-06-01T00:00:00"])
            ),
            spells=3,
        ),
        Case(
            "mixed conventions",
            "date",
            lambda n: pair(episodes_with(["25/04/2023", "05/15/2023", "04/06/2023"])),
            spells=2,
        ),
        Case(
            "impossible dates",
            "date",
            lambda n: pair(episodes_with(["31/02/2023", "15/05/2023", "soon"])),
            spells=1,
        ),
        # column names
        Case(
            "lower-case 903 names",
            "names",
            lambda n: pair(e.lower().replace("ab1", "AB1"), h.lower()),
            spells=3,
        ),
        Case(
            "Header with extra columns",
            "names",
            lambda n: pair(
                header=h.replace("ETHNIC\n", "ETHNIC,UPN,Team,Worker,Notes\n")
                .replace("WBRI\n", "WBRI,,,,\n")
                .replace("APKN\n", "APKN,,,,\n")
                .replace("BAFR\n", "BAFR,,,,\n")
            ),
            spells=3,
        ),
        Case(
            "extract with people's names for columns",
            "names",
            lambda n: [
                (
                    "extract.csv",
                    extract_csv(heading="PersonID,Service,Date opened,HOME_POSTCODE").encode(),
                )
            ],
            spells=3,
        ),
        Case(
            "extract named by values only",
            "names",
            lambda n: [("extract.csv", extract_csv(heading="Ref,Kind,Received,Where").encode())],
            spells=3,
        ),
        Case(
            "extract without a date column",
            "names",
            lambda n: [("extract.csv", b"Child ID,Type,Post Code\nC1,CPP,AB1 2CD\n")],
            refused="matches no file this tool reads",
        ),
        Case(
            "numeric ids in a workbook Header",
            "names",
            lambda n: [
                ("episodes.csv", e.replace("101", "00101").encode()),
                (
                    "header.xlsx",
                    workbook(
                        [
                            ["CHILD", "SEX", "DOB", "ETHNIC"],
                            [101, 1, "01/01/2015", "WBRI"],
                            [102.0, 2, "01/01/2016", "APKN"],
                            [103, 1, "01/01/2017", "BAFR"],
                        ]
                    ),
                ),
            ],
            spells=3,
        ),
        # XML
        Case(
            "CIN census with addresses",
            "xml",
            lambda n: [
                ("cin.xml", CIN_XML.format(encoding="UTF-8").encode()),
                ("addresses.csv", ADDRESSES.encode()),
            ],
            spells=1,
        ),
        Case(
            "CIN census in UTF-16",
            "xml",
            lambda n: [
                ("cin.xml", CIN_XML.format(encoding="UTF-16").encode("utf-16")),
                ("addresses.csv", ADDRESSES.encode()),
            ],
            spells=1,
        ),
        Case(
            "billion laughs",
            "xml",
            lambda n: [("cin.xml", billion_laughs())],
            refused="declares a DTD or entities",
        ),
        Case(
            "external entity",
            "xml",
            lambda n: [
                (
                    "cin.xml",
                    b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><Message>&x;</Message>',
                )
            ],
            refused="declares a DTD or entities",
        ),
        Case(
            "XML that is not a census",
            "xml",
            lambda n: [("cin.xml", b"<html><body/></html>")],
            refused="is XML but not a CIN census",
        ),
        Case(
            "broken XML",
            "xml",
            lambda n: [("cin.xml", b"<Message><Header>")],
            refused="not well-formed XML",
        ),
        Case(
            "census without addresses",
            "xml",
            lambda n: [("cin.xml", CIN_XML.format(encoding="UTF-8").encode())],
            refused="Add an address extract",
        ),
        # archives
        Case(
            "zip bomb (ratio about 170)",
            "archive",
            lambda mb: [("extract.xlsx", bomb_workbook(17 * mb))],
            refused="zip bombs",
            size_bound=True,
        ),
        Case(
            "zip bomb lying about its size",
            "archive",
            lambda mb: [("extract.xlsx", lying_bomb(30 * mb))],
            refused="damaged or unsupported zip file",
            size_bound=True,
        ),
        Case(
            "zip that is not a workbook",
            "archive",
            lambda n: [("extract.xlsx", zip_of({"notes.txt": b"hello"}))],
            refused="not an Excel workbook",
        ),
        Case(
            "old .xls",
            "archive",
            lambda n: [("extract.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)],
            refused=".xls file",
        ),
        # wide and long
        Case(
            "100,000 columns",
            "size",
            lambda n: [
                (
                    "wide.csv",
                    (
                        ",".join(f"c{i}" for i in range(100_000)) + "\n" + "1," * 99_999 + "1\n"
                    ).encode(),
                )
            ],
            refused="columns; this tool reads tables of up to",
            size_bound=True,
        ),
        Case(
            "megabytes of blank rows",
            "size",
            lambda mb: [("extract.csv", (extract_csv() + ",,,\n" * int(mb * 235_000)).encode())],
            spells=3,
            size_bound=True,
        ),
        Case(
            "too many rows",
            "size",
            lambda n: [
                (
                    "extract.csv",
                    (
                        extract_csv()
                        + "".join(
                            f"X{i},CPP,2024-04-02,QQ1 1QQ\n" for i in range(sniff.MAX_ROWS + 10)
                        )
                    ).encode(),
                )
            ],
            refused="rows, more than any return holds",
            size_bound=True,
        ),
        Case(
            "one very long line",
            "size",
            lambda mb: [("extract.csv", b"Child ID," + b"x" * int(mb * 900_000))],
            refused="but no records",
            size_bound=True,
        ),
        Case(
            "a workbook 16,000 columns wide",
            "size",
            lambda n: [("wide.xlsx", workbook([[f"c{i}" for i in range(16_000)], [1] * 16_000]))],
            refused="columns; this tool reads tables of up to",
            size_bound=True,
        ),
        Case(
            "rows with a cell too many",
            "delimiter",
            lambda mb: [
                ("extract.csv", (extract_csv() + "C4,CPP,2024-07-01,AB1 2CD,extra\n").encode())
            ],
            spells=3,
        ),
        # formulas
        Case(
            "formulas in cells",
            "formula",
            lambda n: [
                (
                    "extract.csv",
                    extract_csv(
                        rows=[
                            ('=HYPERLINK("x")', "CPP", "2024-04-02", "AB1 2CD"),
                            ("+C2", "CLA", "2024-05-13", "AB1 3CD"),
                            ("@C3", "CIN", "2024-06-24", "AB1 4CD"),
                        ]
                    ).encode(),
                )
            ],
            spells=3,
        ),
        Case(
            "workbook with formula cells",
            "formula",
            lambda n: [
                (
                    "extract.xlsx",
                    workbook(
                        [
                            ["Child ID", "Type", "Start date", "Post Code"],
                            ["C1", "CPP", "2024-04-02", "AB1 2CD"],
                            ["=1+1", '="CLA"', "2024-05-13", "AB1 3CD"],
                        ]
                    ),
                )
            ],
            spells=1,
        ),
    ]
