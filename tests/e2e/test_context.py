"""A manager compares the authority with England, its region and its statistical neighbours."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from shiny.playwright import controller

from csc_inequalities.context.adjusted import adjusted_comparison, adjusted_sentence
from csc_inequalities.context.neighbours import statistical_neighbours
from csc_inequalities.context.official_rates import trend_table
from tests.helpers.browsing import open_tab

BLACKPOOL = "E06000009"


def test_context_shows_official_rates_neighbours_and_the_adjusted_comparison(
    page: Page, app, store
) -> None:
    page.goto(f"{app.url}?la={BLACKPOOL}&intervention=CLA")
    open_tab(page, "context")

    trend = trend_table(store, BLACKPOOL, "cla")
    latest = trend.dropna(subset=["authority_rate"]).iloc[-1]
    row = page.locator("#context-trend-table tbody tr", has_text=str(int(latest["year"])))
    expect(row).to_contain_text(f"{latest['authority_rate']:,.1f}")

    neighbours = statistical_neighbours(store, BLACKPOOL)
    table = page.locator("#context-neighbours tbody tr")
    expect(table).to_have_count(10)
    expect(table.first).to_contain_text(neighbours.iloc[0]["la_name"])

    sentence = adjusted_sentence(adjusted_comparison(store, BLACKPOOL, "cla"))
    expect(page.locator("#context-adjusted")).to_contain_text(sentence)

    controller.InputSelect(page, "controls-intervention").set("CPP")
    cpp = trend_table(store, BLACKPOOL, "cpp").dropna(subset=["authority_rate"]).iloc[-1]
    expect(
        page.locator("#context-trend-table tbody tr", has_text=str(int(cpp["year"])))
    ).to_contain_text(f"{cpp['authority_rate']:,.1f}")
