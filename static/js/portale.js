/*
 * The portal's own behaviour, as a static file: the Content-Security-Policy (inps_portal/sicurezza.py) runs no inline
 * script nor event handler attribute, and applies no inline style.
 *
 * - Bootstrap Italia's fonts. Its bootstrap.loadFonts() writes the @font-face rules into a <style> element, which
 *   style-src 'self' refuses; the same faces are registered here through the FontFace API, whose downloads fall
 *   under font-src 'self'. Like @font-face rules, a registered face is downloaded only when a page uses it. The
 *   folder comes from the script's data-caratteri attribute (templates/base.html): no attribute, no fonts (admin).
 * - Bootstrap Italia bundles video.js, which writes its default player sizes into a <style> element as soon as it is
 *   evaluated, unless VIDEOJS_NO_DYNAMIC_STYLE is set: the portal has no video, so this file comes first and sets it.
 * - Buttons marked data-stampa print the page (the PIN and the codice di ritiro are shown only once).
 */
(function () {
  "use strict";

  var script = document.currentScript;

  window.VIDEOJS_NO_DYNAMIC_STYLE = true;

  // Family, folder, file prefix and the files' suffixes by [style, weight]: the faces of bootstrap.loadFonts().
  var FAMIGLIE = [
    {
      nome: "Titillium Web",
      cartella: "Titillium_Web",
      prefisso: "titillium-web-v10-latin-ext_latin-",
      facce: [
        ["normal", "300", "300"], ["italic", "300", "300italic"],
        ["normal", "400", "regular"], ["italic", "400", "italic"],
        ["normal", "600", "600"], ["italic", "600", "600italic"],
        ["normal", "700", "700"], ["italic", "700", "700italic"],
      ],
    },
    {
      nome: "Lora",
      cartella: "Lora",
      prefisso: "lora-v20-latin-ext_latin-",
      facce: [
        ["normal", "400", "regular"], ["italic", "400", "italic"],
        ["normal", "700", "700"], ["italic", "700", "700italic"],
      ],
    },
    {
      nome: "Roboto Mono",
      cartella: "Roboto_Mono",
      prefisso: "roboto-mono-v13-latin-ext_latin-",
      facce: [
        ["normal", "400", "regular"], ["italic", "400", "italic"],
        ["normal", "700", "700"], ["italic", "700", "700italic"],
      ],
    },
  ];

  function caricaCaratteri(cartella) {
    if (!cartella || !("fonts" in document) || typeof FontFace === "undefined") {
      return;
    }
    FAMIGLIE.forEach(function (famiglia) {
      famiglia.facce.forEach(function (faccia) {
        var file = cartella + "/" + famiglia.cartella + "/" + famiglia.prefisso + faccia[2];
        var sorgenti = "url('" + file + ".woff2') format('woff2'), url('" + file + ".woff') format('woff')";
        document.fonts.add(new FontFace(famiglia.nome, sorgenti, {
          style: faccia[0],
          weight: faccia[1],
          display: "swap",
        }));
      });
    });
  }

  function attivaStampa() {
    document.addEventListener("click", function (evento) {
      var bersaglio = evento.target instanceof Element ? evento.target.closest("[data-stampa]") : null;
      if (bersaglio) {
        window.print();
      }
    });
  }

  caricaCaratteri(script && script.dataset.caratteri);
  attivaStampa();
})();
