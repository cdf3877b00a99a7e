// plotly.js (1.4 MB, preloaded by the page) is run once Shiny has connected, so the server
// draws the first figures while the browser compiles it instead of after; each figure waits
// for it here. A map also reports the clicked neighbourhood (its LSOA code) to Shiny.
var cscPage = document.currentScript ? document.currentScript.dataset : {};
var cscPlotlyReady = new Promise(function (resolve, reject) {
  $(document).one("shiny:connected", function () {
    var script = document.createElement("script");
    script.src = cscPage.plotly;
    script.onload = resolve;
    script.onerror = reject;
    document.head.appendChild(script);
  });
});

// The first map's polygons (named by the page) are fetched at once, in parallel with plotly.js;
// plotly reads fetched GeoJSON from PlotlyGeoAssets and waits while an address is "pending".
(function prefetchPolygons(url) {
  if (!url || !window.fetch) {
    return;
  }
  var assets = (window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} });
  assets[url] = "pending";
  fetch(url)
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.statusText);
      }
      return response.json();
    })
    .then(function (polygons) {
      assets[url] = polygons;
    })
    .catch(function () {
      delete assets[url];
    });
})(cscPage.polygons);

window.cscPlot = function (id, figure, config, clickInput) {
  cscPlotlyReady.then(function () {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    Plotly.newPlot(element, figure.data, figure.layout, config).then(function (plot) {
      if (clickInput) {
        plot.on("plotly_click", function (event) {
          var point = event.points && event.points[0];
          if (point && point.location) {
            Shiny.setInputValue(clickInput, point.location, { priority: "event" });
          }
        });
      }
    });
  });
};

// Keep the page address in step with the chosen view, so a copied link opens the same view.
$(document).on("shiny:connected", function () {
  Shiny.addCustomMessageHandler("csc-set-query", function (message) {
    if (window.location.search !== message.query) {
      window.history.replaceState(null, "", message.query + window.location.hash);
    }
  });
});

// The navbar title names the page: expose it as its top-level heading, above each tab's h2.
// The menu of analyses sits in the tab list: as a tab that opens a menu (ARIA allows
// aria-haspopup on a tab), not a button, which a tab list may not hold.
$(function () {
  $(".navbar-brand").first().attr({ role: "heading", "aria-level": "1" });
  $("#page .dropdown-toggle").attr({
    role: "tab",
    "aria-haspopup": "menu",
  });
});

// Bootstrap marks the menu's list item aria-expanded when one of its tabs is shown, which ARIA
// does not allow on a list item (the toggle itself carries the menu's state): take it off.
$(document).on("shown.bs.tab hidden.bs.tab", "#page", function () {
  $("#page .dropdown").removeAttr("aria-expanded");
});

// On narrow screens the tab menu is a collapsed list: close it once a tab is chosen, so the
// chosen tab's content is not hidden behind the open menu.
$(document).on(
  "click",
  ".navbar-collapse.show .nav-link:not(.dropdown-toggle), .navbar-collapse.show .dropdown-item",
  function () {
    var menu = this.closest(".navbar-collapse");
    if (menu && window.bootstrap && bootstrap.Collapse) {
      bootstrap.Collapse.getOrCreateInstance(menu, { toggle: false }).hide();
    }
  }
);

// A session the server ended (idle too long): say so, and why, above the greyed-out page, and
// offer a new session. The server sends the words; they are set as text, never as HTML.
$(document).on("shiny:connected", function () {
  Shiny.addCustomMessageHandler("csc-session-ended", function (message) {
    var box = document.createElement("div");
    box.className = "csc-session-ended";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-labelledby", "csc-session-ended-heading");
    box.setAttribute("aria-describedby", "csc-session-ended-text");
    var heading = document.createElement("h2");
    heading.id = "csc-session-ended-heading";
    heading.textContent = message.heading;
    var text = document.createElement("p");
    text.id = "csc-session-ended-text";
    text.textContent = message.text;
    var again = document.createElement("button");
    again.type = "button";
    again.className = "btn btn-primary";
    again.textContent = message.action;
    again.addEventListener("click", function () {
      window.location.reload();
    });
    box.append(heading, text, again);
    document.body.appendChild(box);
    again.focus();
  });
});
