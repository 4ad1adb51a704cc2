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
 */
(function () {
  "use strict";

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

  function drawCommunes(map, element, highlight) {
    var labels = { district: element.dataset.labelDistrict || "" };
    return fetch(element.dataset.geojsonUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
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

  function init(element) {
    if (element.dataset.mapReady) return;
    element.dataset.mapReady = "1";
    var map = baseMap(element);
    var data = readJSON(element.dataset.mapData);
    if (data) drawCommuneAndSector(map, data);
    if (element.dataset.geojsonUrl) {
      drawCommunes(map, element, readJSON(element.dataset.highlight) || {});
    }
    element.qmiMap = map;
  }

  function start() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
