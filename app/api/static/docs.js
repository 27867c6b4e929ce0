// Starts the vendored Swagger UI on /openapi.json (same origin: "try it" calls this server).
"use strict";

window.addEventListener("DOMContentLoaded", () => {
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    displayRequestDuration: true,
    tryItOutEnabled: true,
    validatorUrl: null, // the default would send the document to an outside validator
    onComplete: () => document.body.setAttribute("data-ready", "true"),
  });
});
