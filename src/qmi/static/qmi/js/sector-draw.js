/*
 * Sector editor for the back office: draw the innovation district on a map, or paste
 * GeoJSON in the textarea. Needs the vendored Leaflet (leaflet.css + leaflet.js) loaded
 * before this file; it does not need map.js. No inline script (CSP).
 *
 * Markup contract (template programmes/sector_form.html):
 *
 *   <div class="map" role="region" aria-label="{% translate '…' %}"
 *        data-sector-editor
 *        data-map-data="map-data"          id of a json_script: {"commune": Feature|null,
 *                                          "sector": Feature|null}
 *        data-target="id_geometry"         id of the textarea receiving the GeoJSON
 *        data-tile-url="{{ map_tile_url }}"                  optional; no tiles if empty
 *        data-tile-attribution="{{ map_tile_attribution }}"  plain text
 *        data-label-toolbar="…"            name of the button group ("Outils de dessin")
 *        data-label-finish="…"             "Terminer le polygone"
 *        data-label-undo="…"               "Annuler le dernier point"
 *        data-label-clear="…"              "Effacer"
 *        data-label-help="…"               how to draw, mouse and keyboard (shown above
 *                                          the buttons and linked to the map by
 *                                          aria-describedby)
 *        data-label-points="…"             status while drawing; "{count}" is replaced
 *                                          ("Points placés : {count}.")
 *        data-label-too-few="…"            "Placez au moins trois points avant de terminer."
 *        data-label-finished="…"           after finishing; "{count}" = vertices
 *        data-label-cleared="…"            "Dessin effacé."
 *        data-label-nothing="…"            undo with no point placed
 *        data-label-loaded="…"             the textarea's GeoJSON was drawn
 *        data-label-invalid="…"            the textarea does not hold a readable polygon
 *   ></div>
 *   {{ map_data|json_script:"map-data" }}
 *
 * Clicking the map adds a vertex; clicking the first vertex (or the "finish" button)
 * closes the polygon. With the map focused, Enter adds a vertex at the centre cross
 * (pan with the arrow keys). Finishing writes a GeoJSON Polygon — one closed ring,
 * [longitude, latitude], 6 decimals — into the textarea and fires "input" and "change"
 * on it. Editing the textarea redraws the outline on "change". The textarea and the file
 * upload stay the keyboard and screen-reader path; the French defaults below are only
 * a fallback when a label attribute is missing.
 */
(function () {
  "use strict";

  var BRAND = "#1d3f8f";
  var ACCENT = "#b3172f";
  var INK = "#1b1b29";
  var METROPOLE_CENTRE = [48.8566, 2.3522];
  var DEFAULT_LABELS = {
    toolbar: "Outils de dessin",
    finish: "Terminer le polygone",
    undo: "Annuler le dernier point",
    clear: "Effacer",
    help:
      "Cliquez sur la carte pour placer les sommets du secteur, puis terminez le polygone. " +
      "Au clavier : déplacez la carte avec les flèches et appuyez sur Entrée pour placer un " +
      "sommet sous la croix centrale. Vous pouvez aussi coller du GeoJSON ou envoyer un fichier.",
    points: "Points placés : {count}.",
    tooFew: "Placez au moins trois points avant de terminer.",
    finished: "Polygone terminé ({count} sommets). Enregistrez le formulaire pour le conserver.",
    cleared: "Dessin effacé.",
    nothing: "Aucun point à annuler.",
    loaded: "Le contour saisi est affiché sur la carte.",
    invalid: "Le texte saisi n'est pas un polygone GeoJSON lisible.",
  };

  function readJSON(id) {
    var element = id && document.getElementById(id);
    if (!element) return null;
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function escapeHTML(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function round6(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  function hasGeometry(feature) {
    return Boolean(feature && feature.geometry && feature.geometry.type);
  }

  // Accept what the server accepts: a Polygon or MultiPolygon, bare, in a Feature,
  // or alone in a FeatureCollection. Returns the geometry or null.
  function polygonOf(data) {
    if (!data || typeof data !== "object") return null;
    if (data.type === "FeatureCollection") {
      return data.features && data.features.length === 1 ? polygonOf(data.features[0]) : null;
    }
    if (data.type === "Feature") return polygonOf(data.geometry);
    if ((data.type === "Polygon" || data.type === "MultiPolygon") && Array.isArray(data.coordinates)) {
      return data;
    }
    return null;
  }

  function SectorEditor(element) {
    this.element = element;
    this.textarea = document.getElementById(element.dataset.target || "id_geometry");
    this.labels = {};
    for (var key in DEFAULT_LABELS) {
      var attribute = "label" + key.charAt(0).toUpperCase() + key.slice(1);
      this.labels[key] = element.dataset[attribute] || DEFAULT_LABELS[key];
    }
    this.points = [];
    this.draft = null;
    this.shape = null;
    this.writing = false;
    this.data = readJSON(element.dataset.mapData) || {};
    this.buildMap();
    this.buildToolbar();
    this.showInitialShape();
  }

  SectorEditor.prototype.buildMap = function () {
    var element = this.element;
    element.classList.add("sector-editor");
    var map = L.map(element, { scrollWheelZoom: false, doubleClickZoom: false, zoomSnap: 0.25 });
    map.setView(METROPOLE_CENTRE, 11);
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, {
        maxZoom: 19,
        attribution: escapeHTML(element.dataset.tileAttribution || ""),
      }).addTo(map);
    }
    this.map = map;
    this.draft = L.layerGroup().addTo(map);
    if (hasGeometry(this.data.commune)) {
      this.commune = L.geoJSON(this.data.commune, {
        style: { color: BRAND, weight: 2, dashArray: "6 4", fill: false, interactive: false },
      }).addTo(map);
      map.fitBounds(this.commune.getBounds(), { padding: [16, 16] });
    }
    var self = this;
    map.on("click", function (event) {
      self.addPoint(event.latlng);
    });
    // Keyboard drawing: Enter on the focused map adds the point under the centre cross.
    element.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target === element) {
        event.preventDefault();
        self.addPoint(map.getCenter());
      }
    });
    if (this.textarea) {
      this.textarea.addEventListener("change", function () {
        if (!self.writing) self.loadFromText(true);
      });
    }
  };

  SectorEditor.prototype.button = function (label, handler) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary";
    button.textContent = label;
    button.addEventListener("click", handler.bind(this));
    return button;
  };

  SectorEditor.prototype.buildToolbar = function () {
    var toolbar = document.createElement("div");
    toolbar.className = "sector-editor-toolbar";
    toolbar.setAttribute("role", "group");
    toolbar.setAttribute("aria-label", this.labels.toolbar);
    var help = document.createElement("p");
    help.className = "help";
    help.id = (this.element.id || "sector-editor") + "-help";
    help.textContent = this.labels.help;
    var describedBy = this.element.getAttribute("aria-describedby");
    this.element.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + help.id);
    var actions = document.createElement("div");
    actions.className = "actions";
    actions.appendChild(this.button(this.labels.finish, this.finish));
    actions.appendChild(this.button(this.labels.undo, this.undo));
    actions.appendChild(this.button(this.labels.clear, this.clear));
    this.status = document.createElement("p");
    this.status.className = "sector-editor-status";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    toolbar.appendChild(help);
    toolbar.appendChild(actions);
    toolbar.appendChild(this.status);
    this.element.insertAdjacentElement("afterend", toolbar);
  };

  SectorEditor.prototype.say = function (message, count) {
    this.status.textContent = message.replace("{count}", String(count));
  };

  SectorEditor.prototype.showInitialShape = function () {
    // A re-displayed form keeps what was typed; otherwise show the saved sector.
    if (this.textarea && this.textarea.value.trim()) {
      if (this.loadFromText(false)) return;
    }
    if (hasGeometry(this.data.sector)) this.setShape(this.data.sector.geometry, false);
  };

  SectorEditor.prototype.setShape = function (geometry, fitToIt) {
    if (this.shape) this.map.removeLayer(this.shape);
    this.shape = null;
    if (!geometry) return;
    this.shape = L.geoJSON(geometry, {
      style: { color: ACCENT, weight: 3, fillColor: ACCENT, fillOpacity: 0.3, interactive: false },
    }).addTo(this.map);
    if (fitToIt) this.map.fitBounds(this.shape.getBounds(), { padding: [16, 16], maxZoom: 17 });
  };

  SectorEditor.prototype.loadFromText = function (announce) {
    var text = this.textarea.value.trim();
    if (!text) {
      this.setShape(null);
      return true;
    }
    var geometry = null;
    try {
      geometry = polygonOf(JSON.parse(text));
    } catch (error) {
      geometry = null;
    }
    if (!geometry) {
      if (announce) this.say(this.labels.invalid, 0);
      return false;
    }
    try {
      this.setShape(geometry, true);
    } catch (error) {
      // Leaflet throws on malformed coordinates.
      this.setShape(null);
      if (announce) this.say(this.labels.invalid, 0);
      return false;
    }
    if (announce) this.say(this.labels.loaded, 0);
    return true;
  };

  SectorEditor.prototype.addPoint = function (latlng) {
    this.points.push(latlng);
    this.redrawDraft();
    this.say(this.labels.points, this.points.length);
  };

  SectorEditor.prototype.redrawDraft = function () {
    var self = this;
    this.draft.clearLayers();
    if (!this.points.length) return;
    var line = this.points.length >= 3 ? L.polygon(this.points) : L.polyline(this.points);
    line.setStyle({ color: INK, weight: 2, dashArray: "4 4", fillOpacity: 0.1, interactive: false });
    this.draft.addLayer(line);
    this.points.forEach(function (point, index) {
      var vertex = L.circleMarker(point, {
        radius: index === 0 ? 7 : 5,
        color: INK,
        weight: 2,
        fillColor: "#ffffff",
        fillOpacity: 1,
        bubblingMouseEvents: false,
      });
      if (index === 0) {
        // Clicking the first vertex closes the polygon.
        vertex.on("click", function () {
          self.finish();
        });
      }
      self.draft.addLayer(vertex);
    });
  };

  SectorEditor.prototype.finish = function () {
    if (this.points.length < 3) {
      this.say(this.labels.tooFew, this.points.length);
      return;
    }
    var ring = this.points.map(function (point) {
      return [round6(point.lng), round6(point.lat)];
    });
    ring.push(ring[0].slice());
    var geometry = { type: "Polygon", coordinates: [ring] };
    var count = this.points.length;
    this.points = [];
    this.redrawDraft();
    this.setShape(geometry, false);
    if (this.textarea) {
      this.textarea.value = JSON.stringify(geometry);
      // Let other scripts (autosave) know; our own change listener skips this one.
      this.writing = true;
      this.textarea.dispatchEvent(new Event("input", { bubbles: true }));
      this.textarea.dispatchEvent(new Event("change", { bubbles: true }));
      this.writing = false;
    }
    this.say(this.labels.finished, count);
  };

  SectorEditor.prototype.undo = function () {
    if (!this.points.length) {
      this.say(this.labels.nothing, 0);
      return;
    }
    this.points.pop();
    this.redrawDraft();
    this.say(this.labels.points, this.points.length);
  };

  SectorEditor.prototype.clear = function () {
    this.points = [];
    this.redrawDraft();
    this.setShape(null);
    if (this.textarea) {
      this.textarea.value = "";
      this.textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    this.say(this.labels.cleared, 0);
  };

  function start() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-sector-editor]").forEach(function (element) {
      if (!element.sectorEditor) element.sectorEditor = new SectorEditor(element);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
