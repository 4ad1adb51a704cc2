/*
 * QMI public maps (Leaflet, vendored). No inline script: everything comes from
 * data attributes and json_script elements (CSP script-src 'self').
 *
 * Markup contract — an element with `data-map` (give it class="map", role="region"
 * and an aria-label in the template):
 *
 *   data-map                      marks the element; the script draws a map in it
 *   data-geojson-url="…"          optional: URL of a FeatureCollection of commune
 *                                 outlines (properties: insee, name), e.g.
 *                                 {% url 'showcase:communes_geojson' %}; all are drawn
 *                                 with a thin line
 *   data-highlight="id"           optional: id of a json_script holding
 *                                 {insee: [{name, edition, number, district, url}, …]};
 *                                 those communes are drawn with a thick line and a fill,
 *                                 a tooltip (name) and a popup (links to their pages)
 *   data-map-data="id"            optional: id of a json_script holding
 *                                 {"commune": Feature|null, "sector": Feature|null};
 *                                 the commune's outline is dashed, the sector filled
 *   data-tile-url="…"             optional: tile URL template; no tiles when empty
 *   data-tile-attribution="…"     text shown for the tiles (plain text)
 *   data-label-district="…"       word put before a district in popups ("quartier")
 *   data-label-error="…"          message shown under the map if the outlines fail to load
 *
 * The map fits the highlighted communes, else the sector and commune, else every outline.
 * Outlines are vector layers: they draw whether or not the tile server answers.
 *
 * Loading: the page loads this script only (includes/map_assets.html). A map is built when
 * it comes within half a screen of the viewport: only then are Leaflet and its stylesheet
 * (the script tag's data-leaflet-js and data-leaflet-css) and the outlines fetched, so a page
 * whose map is further down is read, scrolled and clicked without waiting for the map.
 * Where Leaflet is already on the page (a <script> before this one), it is used as it is.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var LEAFLET_JS = (script && script.dataset.leafletJs) || "";
  var LEAFLET_CSS = (script && script.dataset.leafletCss) || "";
  // How far below (or above) the viewport a map starts loading.
  var NEAR = "50% 0px";

  // Same colours as qmi.css (--brand, --accent, --muted); lines stay ≥ 3:1 on the map background.
  var BRAND = "#1d3f8f";
  var ACCENT = "#b3172f";
  var MUTED = "#6b6d80";
  var METROPOLE_CENTRE = [48.8566, 2.3522];

  var STYLES = {
    outline: { color: MUTED, weight: 1, opacity: 0.9, fill: false, interactive: false },
    highlight: { color: BRAND, weight: 3, opacity: 1, fillColor: BRAND, fillOpacity: 0.3 },
    commune: { color: BRAND, weight: 2, dashArray: "6 4", fill: false, interactive: false },
    sector: { color: ACCENT, weight: 3, fillColor: ACCENT, fillOpacity: 0.3 },
  };

  function readJSON(id) {
    if (!id) return null;
    var element = document.getElementById(id);
    if (!element) return null;
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function hasGeometry(feature) {
    return Boolean(feature && feature.geometry && feature.geometry.type);
  }

  function escapeHTML(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function baseMap(element) {
    var map = L.map(element, {
      // The page scrolls with the wheel; zoom with the buttons or the keyboard (+/-).
      scrollWheelZoom: false,
      zoomSnap: 0.25,
    }).setView(METROPOLE_CENTRE, 10);
    var tileUrl = element.dataset.tileUrl || "";
    if (tileUrl) {
      L.tileLayer(tileUrl, {
        maxZoom: 19,
        attribution: escapeHTML(element.dataset.tileAttribution || ""),
      }).addTo(map);
    }
    return map;
  }

  function popupContent(entries, labels) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = entries[0].name;
    box.appendChild(title);
    var list = document.createElement("ul");
    list.className = "map-popup-list";
    entries.forEach(function (entry) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = entry.url;
      link.textContent = entry.edition;
      item.appendChild(link);
      if (entry.district) {
        item.appendChild(
          document.createTextNode(" — " + (labels.district ? labels.district + " " : "") + entry.district)
        );
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function tooltipContent(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function showError(element, message) {
    if (!message) return;
    var status = document.createElement("p");
    status.className = "map-status";
    status.setAttribute("role", "status");
    status.textContent = message;
    element.insertAdjacentElement("afterend", status);
  }

  function fit(map, bounds) {
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16] });
  }

  function fetchOutlines(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  function drawCommunes(map, element, outlines, highlight) {
    var labels = { district: element.dataset.labelDistrict || "" };
    return outlines
      .then(function (collection) {
        var features = (collection.features || []).filter(hasGeometry);
        var plain = features.filter(function (f) { return !highlight[f.properties.insee]; });
        var strong = features.filter(function (f) { return highlight[f.properties.insee]; });
        var all = L.geoJSON(plain, { style: STYLES.outline }).addTo(map);
        var highlighted = L.geoJSON(strong, {
          style: STYLES.highlight,
          onEachFeature: function (feature, layer) {
            var entries = highlight[feature.properties.insee];
            layer.bindTooltip(tooltipContent(feature.properties.name), { sticky: true });
            layer.bindPopup(popupContent(entries, labels));
          },
        }).addTo(map);
        if (strong.length) {
          fit(map, highlighted.getBounds());
        } else {
          fit(map, all.getBounds());
        }
      })
      .catch(function () {
        showError(element, element.dataset.labelError);
      });
  }

  function drawCommuneAndSector(map, data) {
    var bounds = L.latLngBounds([]);
    if (hasGeometry(data.commune)) {
      var commune = L.geoJSON(data.commune, { style: STYLES.commune }).addTo(map);
      bounds.extend(commune.getBounds());
    }
    if (hasGeometry(data.sector)) {
      var sector = L.geoJSON(data.sector, { style: STYLES.sector }).addTo(map);
      var name = data.sector.properties && data.sector.properties.name;
      if (name) sector.bindTooltip(tooltipContent(name), { sticky: true });
      bounds.extend(sector.getBounds());
    }
    fit(map, bounds);
  }

  function init(element, outlines) {
    var map = baseMap(element);
    var data = readJSON(element.dataset.mapData);
    if (data) drawCommuneAndSector(map, data);
    if (outlines) {
      drawCommunes(map, element, outlines, readJSON(element.dataset.highlight) || {});
    }
    element.qmiMap = map;
  }

  function addScript(src) {
    return new Promise(function (resolve, reject) {
      if (!src) {
        reject(new Error("no Leaflet to load"));
        return;
      }
      var tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function addStylesheet(href) {
    return new Promise(function (resolve) {
      if (!href) {
        resolve();
        return;
      }
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      // Without its stylesheet the map is untidy, but its outlines are still drawn.
      link.onload = link.onerror = resolve;
      document.head.appendChild(link);
    });
  }

  var leaflet = null;
  function loadLeaflet() {
    if (!leaflet) {
      leaflet =
        typeof L !== "undefined"
          ? Promise.resolve()
          : Promise.all([addStylesheet(LEAFLET_CSS), addScript(LEAFLET_JS)]);
    }
    return leaflet;
  }

  function build(element) {
    if (element.dataset.mapReady) return;
    element.dataset.mapReady = "1";
    // The outlines are fetched while Leaflet loads.
    var outlines = element.dataset.geojsonUrl ? fetchOutlines(element.dataset.geojsonUrl) : null;
    if (outlines) outlines.catch(function () {}); // reported once drawn (drawCommunes)
    loadLeaflet().then(
      function () {
        init(element, outlines);
      },
      function () {
        showError(element, element.dataset.labelError);
      }
    );
  }

  function whenNear(elements, callback) {
    if (typeof IntersectionObserver === "undefined") {
      elements.forEach(callback);
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          observer.unobserve(entry.target);
          callback(entry.target);
        });
      },
      { rootMargin: NEAR }
    );
    elements.forEach(function (element) {
      observer.observe(element);
    });
  }

  function start() {
    whenNear(Array.prototype.slice.call(document.querySelectorAll("[data-map]")), build);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
