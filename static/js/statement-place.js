// A statement's page: the level list offers only the levels of the chosen section's scale, and the domain
// list is open only for a section whose statements belong to a domain. Without this file every choice is
// offered and the server says which does not fit.
(function () {
  "use strict";

  function fit() {
    const section = document.getElementById("id_section");
    const level = document.getElementById("id_level");
    const domain = document.getElementById("id_domain");
    if (!section || !level) return;
    const chosen = section.options[section.selectedIndex];
    const scale = chosen ? chosen.dataset.scale : undefined;
    for (const option of level.options) {
      const misfit = Boolean(scale && option.dataset.scale && option.dataset.scale !== scale);
      option.hidden = misfit;
      option.disabled = misfit;
      if (misfit && option.selected) level.value = "";
    }
    if (domain) {
      const noDomain = Boolean(chosen && chosen.dataset.usesDomains === "false");
      if (noDomain) domain.value = "";
      domain.disabled = noDomain;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    const section = document.getElementById("id_section");
    if (!section) return;
    section.addEventListener("change", fit);
    fit();
  });
})();
