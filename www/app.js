// Keep the page address in step with the chosen view, so a copied link opens the same view.
$(document).on("shiny:connected", function () {
  Shiny.addCustomMessageHandler("csc-set-query", function (message) {
    if (window.location.search !== message.query) {
      window.history.replaceState(null, "", message.query + window.location.hash);
    }
  });
});
