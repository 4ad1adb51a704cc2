// Form builder: show the settings of the chosen kind, suggest a key from the label,
// and offer only the answers of the question a condition reads. No inline script (CSP).
document.addEventListener("DOMContentLoaded", () => {
  const kindSelect = document.querySelector("[data-kind-select]");
  if (kindSelect) {
    const showSettings = () => {
      document.querySelectorAll("[data-kinds]").forEach((element) => {
        element.hidden = !element.dataset.kinds.split(" ").includes(kindSelect.value);
      });
    };
    kindSelect.addEventListener("change", showSettings);
    showSettings();
  }

  const keyInput = document.querySelector("[data-key-from]");
  if (keyInput) {
    const labelInput = document.getElementById(keyInput.dataset.keyFrom);
    // Only suggest while the key is empty or still the previous suggestion.
    let suggested = keyInput.value === "" ? "" : null;
    const slugify = (text) =>
      text
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 50)
        .replace(/-+$/g, "");
    labelInput?.addEventListener("input", () => {
      if (suggested === null || keyInput.value !== suggested) return;
      suggested = slugify(labelInput.value);
      keyInput.value = suggested;
    });
    keyInput.addEventListener("input", () => {
      suggested = keyInput.value === "" ? "" : null;
    });
  }

  // The expected answer: only the answers of the question chosen above. An answer
  // shared by two questions ("oui") appears in both groups, so the one selected is
  // looked up again in the group now shown.
  const conditionKey = document.getElementById("id_condition_key");
  const conditionValue = document.querySelector("[data-condition-value]");
  if (conditionKey && conditionValue) {
    const showAnswers = () => {
      const current = conditionValue.value;
      conditionValue.querySelectorAll("optgroup").forEach((group) => {
        const shown = group.querySelector("option")?.dataset.source === conditionKey.value;
        group.hidden = !shown;
        group.disabled = !shown;
      });
      const same = Array.from(conditionValue.querySelectorAll("option[data-source]")).find(
        (option) => option.dataset.source === conditionKey.value && option.value === current,
      );
      if (same) {
        same.selected = true;
      } else {
        conditionValue.value = "";
      }
    };
    conditionKey.addEventListener("change", showAnswers);
    showAnswers();
  }
});
