// Small behaviours shared by every page; no inline script anywhere (CSP).
document.addEventListener("DOMContentLoaded", () => {
  // Buttons asking for confirmation before a destructive action.
  document.querySelectorAll("[data-confirm]").forEach((element) => {
    element.addEventListener("click", (event) => {
      if (!window.confirm(element.dataset.confirm)) event.preventDefault();
    });
  });
});
