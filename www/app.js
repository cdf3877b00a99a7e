// Keep the page address in step with the chosen view, so a copied link opens the same view.
$(document).on("shiny:connected", function () {
  Shiny.addCustomMessageHandler("csc-set-query", function (message) {
    if (window.location.search !== message.query) {
      window.history.replaceState(null, "", message.query + window.location.hash);
    }
  });
});

// The navbar title names the page: expose it as its top-level heading, above each tab's h2.
$(function () {
  $(".navbar-brand").first().attr({ role: "heading", "aria-level": "1" });
});

// On narrow screens the tab menu is a collapsed list: close it once a tab is chosen, so the
// chosen tab's content is not hidden behind the open menu.
$(document).on("click", ".navbar-collapse.show .nav-link", function () {
  var menu = this.closest(".navbar-collapse");
  if (menu && window.bootstrap && bootstrap.Collapse) {
    bootstrap.Collapse.getOrCreateInstance(menu, { toggle: false }).hide();
  }
});
