// The API documentation page: every spec of the service, one at a time, chosen in Swagger
// UI's own top bar (its "urls" option). The page names the specs and their base URL in data
// attributes, so that no script is inline (the page's Content Security Policy allows none).
(function () {
  const holder = document.getElementById("docs");
  const specs = JSON.parse(holder.dataset.specs);
  const wanted = new URLSearchParams(window.location.search).get("spec");
  SwaggerUIBundle({
    urls: specs,
    "urls.primaryName": (specs.find((spec) => spec.file === wanted) || specs[0]).name,
    dom_id: "#docs",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
    displayOperationId: true,
    docExpansion: "list",
    deepLinking: false,
  });
})();
