// Form builder: show the settings of the chosen kind, suggest a key from the label,
// and offer the expected answers of the chosen condition question. No inline script (CSP).
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

  const sourcesData = document.getElementById("condition-sources");
  const conditionKey = document.getElementById("id_condition_key");
  const datalist = document.getElementById("condition-values");
  if (sourcesData && conditionKey && datalist) {
    const sources = JSON.parse(sourcesData.textContent);
    const fillValues = () => {
      const source = sources.find((item) => item.key === conditionKey.value);
      datalist.replaceChildren(
        ...(source ? source.options : []).map((value) => {
          const option = document.createElement("option");
          option.value = value;
          return option;
        }),
      );
    };
    conditionKey.addEventListener("change", fillValues);
    fillValues();
  }
});
