// Application form behaviours: autosave, live conditions, character counters, uploads.
// No inline script anywhere (CSP): the page passes its data through data-* attributes.
// Everything here is an enhancement: without JS the form posts to the same endpoints.
(function () {
  "use strict";

  var DELAY = 1500; // saved within 2 s of the person stopping typing
  var MAX_RETRY = 60000;
  // French defaults; the page gives the words in its own language through data-msg-* attributes.
  var TEXT = {
    saving: "Enregistrement…",
    offline: "Hors connexion — nouvel essai…",
    failed: "Enregistrement impossible pour l’instant — nouvel essai…",
    expired: "Session expirée : reconnectez-vous, vos saisies sont conservées.",
    login: "Se reconnecter",
    conflict: "Non enregistré : quelqu’un d’autre a modifié ces réponses.",
    restored: "Vos saisies non enregistrées ont été restaurées.",
    uploading: "Envoi du fichier en cours…",
    uploadFailed: "Hors connexion : le fichier n’a pas été envoyé, réessayez.",
    chars: "caractères",
    tooMany: "de trop",
  };

  function readTexts(form) {
    Object.keys(TEXT).forEach(function (name) {
      var key = "msg" + name.charAt(0).toUpperCase() + name.slice(1);
      if (form.dataset[key]) TEXT[name] = form.dataset[key];
    });
  }

  function counterText(count, max) {
    var text = count + " / " + max + " " + TEXT.chars;
    if (count > max) text += " — " + (count - max) + " " + TEXT.tooMany;
    return text;
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  // Character counters --------------------------------------------------------
  function updateCounter(textarea) {
    var counter = document.getElementById(textarea.dataset.counter);
    if (!counter) return;
    var max = parseInt(textarea.dataset.maxChars, 10);
    var count = textarea.value.length;
    counter.textContent = counterText(count, max);
    counter.classList.toggle("over", count > max);
  }

  // Conditional questions -------------------------------------------------------
  function valuesOf(form, name) {
    var values = [];
    var found = false;
    form.querySelectorAll('[name="' + name + '"]').forEach(function (element) {
      if (element.type === "hidden") return;
      found = true;
      if (element.type === "radio" || element.type === "checkbox") {
        if (element.checked) values.push(element.value);
      } else if (element.value) {
        values.push(element.value);
      }
    });
    return found ? values : null;
  }

  function applyConditions(form) {
    form.querySelectorAll("[data-condition-key]").forEach(function (field) {
      var values = valuesOf(form, "a_" + field.dataset.conditionKey);
      // A question depending on another section keeps what the server decided.
      if (values === null) return;
      field.hidden = values.indexOf(field.dataset.conditionValue) === -1;
    });
  }

  // Pending values kept in the browser when the server cannot take them -------
  function collect(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name.indexOf("a_") === 0 && typeof value === "string") pairs.push([name, value]);
    });
    return pairs;
  }

  function restore(form, pairs) {
    var byName = {};
    pairs.forEach(function (pair) {
      (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]);
    });
    Object.keys(byName).forEach(function (name) {
      var values = byName[name];
      var index = 0;
      form.querySelectorAll('[name="' + name + '"]').forEach(function (element) {
        if (element.type === "hidden") return;
        if (element.type === "radio" || element.type === "checkbox") {
          element.checked = values.indexOf(element.value) !== -1;
        } else {
          element.value = values[index] !== undefined ? values[index] : "";
          index += 1;
        }
      });
    });
  }

  // Autosave --------------------------------------------------------------------
  function Autosave(form) {
    this.form = form;
    this.key = form.dataset.storageKey;
    this.status = document.getElementById("autosave-status");
    this.conflictBox = document.getElementById("autosave-conflict");
    this.timer = null;
    this.inFlight = false;
    this.again = false;
    this.dirty = false;
    this.paused = false;
    this.retry = 2000;
  }

  Autosave.prototype.say = function (text, html) {
    if (!this.status) return;
    if (html) {
      this.status.replaceChildren(html);
    } else {
      this.status.textContent = text;
    }
  };

  Autosave.prototype.keep = function () {
    try {
      localStorage.setItem(this.key, JSON.stringify({ at: Date.now(), values: collect(this.form) }));
    } catch (error) {
      /* storage full or disabled: nothing more we can do */
    }
  };

  Autosave.prototype.forget = function () {
    try {
      localStorage.removeItem(this.key);
    } catch (error) {
      /* ignore */
    }
  };

  Autosave.prototype.schedule = function (delay) {
    var self = this;
    this.dirty = true;
    if (this.paused) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () {
      self.save();
    }, delay === undefined ? DELAY : delay);
  };

  Autosave.prototype.expired = function () {
    this.paused = true;
    this.keep();
    var line = document.createElement("span");
    line.className = "autosave-expired";
    line.textContent = TEXT.expired + " ";
    var link = document.createElement("a");
    link.href = this.form.dataset.loginUrl;
    link.textContent = TEXT.login;
    line.appendChild(link);
    this.say("", line);
  };

  Autosave.prototype.failed = function (text) {
    var self = this;
    this.keep();
    this.say(text);
    clearTimeout(this.timer);
    this.timer = setTimeout(function () {
      self.save();
    }, this.retry);
    this.retry = Math.min(this.retry * 2, MAX_RETRY);
  };

  // Problems of the answers just saved, shown under their fields ----------------------
  // The server sends {key: message or ""} for every answer it saved: a message is shown
  // under the field (aria-invalid, aria-describedby), "" removes one that was fixed.
  function describedBy(control, id, add) {
    var ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (item) {
      return item && item !== id;
    });
    if (add) ids.push(id);
    if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
    else control.removeAttribute("aria-describedby");
  }

  function showProblem(key, message) {
    var field = document.getElementById("field-" + key);
    var control = document.getElementById("q-" + key);
    if (!field || !control) return;
    var id = "q-" + key + "-problem";
    var line = document.getElementById(id);
    if (message) {
      if (!line) {
        line = document.createElement("p");
        line.className = "errorlist field-problem";
        line.id = id;
        field.appendChild(line);
      }
      line.textContent = message;
    } else if (line) {
      line.remove();
    }
    describedBy(control, id, !!message);
    var inputs = control.matches("fieldset") ? control.querySelectorAll("select") : [control];
    Array.prototype.forEach.call(inputs, function (input) {
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  }

  function showProblems(fragment) {
    var holder = fragment.querySelector("[data-field-problems]");
    if (!holder) return;
    var problems = {};
    try {
      problems = JSON.parse(holder.dataset.fieldProblems) || {};
    } catch (error) {
      problems = {};
    }
    Object.keys(problems).forEach(function (key) {
      showProblem(key, problems[key]);
    });
  }

  Autosave.prototype.applySaved = function (fragment) {
    showProblems(fragment);
    fragment.querySelectorAll("[hx-swap-oob]").forEach(function (element) {
      var current = document.getElementById(element.id);
      if (current) current.value = element.value;
      element.remove();
    });
    var wrapper = document.createElement("span");
    wrapper.append(fragment);
    this.say("", wrapper);
  };

  Autosave.prototype.save = function () {
    var self = this;
    clearTimeout(this.timer);
    if (this.paused) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.again = false;
    this.dirty = false;
    this.say(TEXT.saving);
    var body = new FormData(this.form);
    if (this.keepVersion) {
      // "Keep my version": the person saw the other value and overrides it on purpose.
      body.set("keep_version", this.keepVersion);
      this.keepVersion = null;
    }
    fetch(this.form.action, {
      method: "POST",
      body: body,
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
      redirect: "manual",
    })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401) {
          self.expired();
          return null;
        }
        if (response.status === 403 && !response.headers.get("X-QMI-Refused")) {
          self.expired(); // a CSRF failure after the session ended
          return null;
        }
        return response.text().then(function (html) {
          var fragment = parse(html);
          if (response.ok) {
            self.retry = 2000;
            self.forget();
            self.applySaved(fragment);
          } else if (response.status === 409) {
            self.paused = true;
            self.dirty = true;
            self.conflictBox.replaceChildren(fragment);
            // The server words it: "someone else", or "you, in another tab".
            var box = self.conflictBox.querySelector("[data-conflict-message]");
            self.say(box ? box.dataset.conflictMessage : TEXT.conflict);
            var first = self.conflictBox.querySelector("h2");
            if (first) {
              first.tabIndex = -1;
              first.focus();
            }
          } else if (response.status === 403) {
            self.paused = true;
            self.forget();
            var wrapper = document.createElement("span");
            wrapper.append(fragment);
            self.say("", wrapper);
          } else {
            self.dirty = true;
            self.failed(TEXT.failed);
          }
        });
      })
      .catch(function () {
        self.dirty = true;
        self.failed(TEXT.offline);
      })
      .finally(function () {
        self.inFlight = false;
        if (self.again && !self.paused) self.save();
      });
  };

  Autosave.prototype.start = function () {
    var self = this;
    var form = this.form;
    form.addEventListener("input", function (event) {
      if (event.target.name && event.target.name.indexOf("a_") === 0) self.schedule();
    });
    form.addEventListener("change", function (event) {
      if (event.target.name && event.target.name.indexOf("a_") === 0) self.schedule();
    });
    form.addEventListener("click", function (event) {
      var keep = event.target.closest("[data-autosave-keep]");
      if (keep) {
        event.preventDefault();
        document.getElementById("autosave-base-version").value = keep.value;
        self.keepVersion = keep.value;
        self.conflictBox.replaceChildren();
        self.paused = false;
        self.save();
        return;
      }
      if (event.target.closest("[data-autosave-reload]")) self.forget();
    });
    form.addEventListener("submit", function () {
      // The plain submit saves (and navigates): no autosave must race it.
      clearTimeout(self.timer);
      self.paused = true;
      self.dirty = false;
    });
    window.addEventListener("online", function () {
      if (self.dirty && !self.paused) self.save();
    });
    window.addEventListener("beforeunload", function (event) {
      if ((self.dirty || self.inFlight) && !self.paused) {
        self.keep();
        event.preventDefault();
        event.returnValue = "";
      }
    });
    var stored = null;
    try {
      stored = JSON.parse(localStorage.getItem(this.key) || "null");
    } catch (error) {
      stored = null;
    }
    if (stored && Array.isArray(stored.values) && stored.values.length) {
      restore(form, stored.values);
      form.querySelectorAll("textarea[data-max-chars]").forEach(updateCounter);
      applyConditions(form);
      this.say(TEXT.restored);
      this.schedule(0);
    }
  };

  // Uploads (fetch, drag and drop) ------------------------------------------------
  // A live region outside the slots: the slot is replaced, so its own region is too new to be heard.
  function announcer() {
    var region = document.getElementById("upload-announcer");
    if (!region) {
      region = document.createElement("p");
      region.id = "upload-announcer";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }

  function replaceSlot(key, html) {
    var slot = document.getElementById("slot-" + key);
    var fresh = parse(html).getElementById("slot-" + key);
    if (!slot || !fresh) return;
    // Keyboard users stay where they were: the focused control is inside the old slot.
    var hadFocus = slot.contains(document.activeElement) || document.activeElement === document.body;
    slot.replaceWith(fresh);
    var error = fresh.querySelector("[role=alert]");
    var lastFile = fresh.querySelector(".document-list li:last-child");
    var input = fresh.querySelector("input[type=file]");
    var target = error ? input : (lastFile && lastFile.querySelector("a")) || input;
    if ((hadFocus || error) && target) target.focus();
    announcer().textContent = error ? error.textContent : lastFile ? lastFile.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function upload(form, submitter) {
    var key = form.dataset.uploadForm;
    var slot = document.getElementById("slot-" + key);
    var status = slot ? slot.querySelector(".upload-status") : null;
    if (status) status.textContent = TEXT.uploading;
    var target = submitter && submitter.hasAttribute("formaction") ? submitter.formAction : form.action;
    fetch(target, {
      method: "POST",
      body: new FormData(form),
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
      redirect: "manual",
    })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          if (status) status.textContent = TEXT.expired;
          return null;
        }
        return response.text().then(function (html) {
          replaceSlot(key, html);
        });
      })
      .catch(function () {
        if (status) status.textContent = TEXT.uploadFailed;
      });
  }

  function startUploads() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches("form[data-upload-form]")) return;
      event.preventDefault();
      upload(form, event.submitter);
    });
    document.addEventListener("change", function (event) {
      var input = event.target;
      if (input.matches && input.matches("input[type=file][data-autoupload]") && input.files.length) {
        input.form.requestSubmit();
      }
    });
    document.addEventListener("dragover", function (event) {
      var zone = event.target.closest && event.target.closest("[data-dropzone]");
      if (!zone || !zone.querySelector("input[type=file]")) return;
      event.preventDefault();
      zone.classList.add("dragging");
    });
    document.addEventListener("dragleave", function (event) {
      var zone = event.target.closest && event.target.closest("[data-dropzone]");
      if (zone) zone.classList.remove("dragging");
    });
    document.addEventListener("drop", function (event) {
      var zone = event.target.closest && event.target.closest("[data-dropzone]");
      if (!zone) return;
      var input = zone.querySelector("input[type=file]");
      if (!input || !event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      zone.classList.remove("dragging");
      input.files = event.dataTransfer.files;
      input.form.requestSubmit();
    });
  }

  // Submit once -------------------------------------------------------------------
  function startSubmitOnce() {
    document.querySelectorAll("[data-submit-once]").forEach(function (button) {
      button.form.addEventListener("submit", function () {
        setTimeout(function () {
          button.disabled = true;
        }, 0);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    startSubmitOnce();
    var form = document.querySelector("form[data-storage-key]");
    if (!form) {
      // The application page: upload slots for documents a correction asks for.
      var texts = document.querySelector("[data-upload-texts]");
      if (texts && document.querySelector("form[data-upload-form]")) {
        readTexts(texts);
        startUploads();
      }
      return;
    }
    readTexts(form);
    form.querySelectorAll("textarea[data-max-chars]").forEach(function (textarea) {
      updateCounter(textarea);
      textarea.addEventListener("input", function () {
        updateCounter(textarea);
      });
    });
    applyConditions(form);
    form.addEventListener("input", function () {
      applyConditions(form);
    });
    form.addEventListener("change", function () {
      applyConditions(form);
    });
    if (form.dataset.autosave === "on") {
      new Autosave(form).start();
      startUploads();
    }
  });
})();
