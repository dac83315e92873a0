// Swagger UI over the partner API's schema (partner_api/templates/partner_api/docs.html).
// A static file, not an inline script: the Content-Security-Policy allows scripts from our origin only.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    domNode: root,
    deepLinking: true,
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
  });
})();
