// Progressive enhancement for framework pages. Every control is a real link first;
// this file adds the WAI-ARIA tabs keyboard pattern, in-place chips and announcements.
(function () {
  "use strict";

  function announce(message) {
    const region = document.getElementById("live-region");
    if (!region) return;
    region.textContent = "";
    // A fresh text node after a tick makes screen readers read repeated messages too.
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  // Without JavaScript every tab is a link in the Tab order; with it, only the selected
  // tab is (roving tabindex), and the arrow keys move between them.
  function rovingTabindex() {
    document.querySelectorAll('[role="tab"]').forEach(function (tab) {
      if (tab.getAttribute("aria-selected") === "true") tab.removeAttribute("tabindex");
      else tab.setAttribute("tabindex", "-1");
    });
  }
  rovingTabindex();

  // Tabs: arrow keys, Home and End move between tabs and activate them.
  document.addEventListener("keydown", function (event) {
    const tab = event.target.closest && event.target.closest('[role="tab"]');
    if (!tab) return;
    const tabs = Array.from(tab.closest('[role="tablist"]').querySelectorAll('[role="tab"]'));
    const index = tabs.indexOf(tab);
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
    if (event.key === " ") {
      event.preventDefault();
      tab.click();
      return;
    }
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
    next.focus();
    next.click();
  });

  // A second press on an open chip closes it instead of fetching it again.
  document.addEventListener("htmx:confirm", function (event) {
    const trigger = event.detail.elt;
    if (!trigger.matches(".chip, .anchors-disclosure__toggle")) return;
    if (trigger.getAttribute("aria-expanded") !== "true") return;
    event.preventDefault();
    const slot = document.getElementById(trigger.getAttribute("aria-controls"));
    if (slot) {
      slot.replaceChildren();
      slot.hidden = true;
    }
    trigger.setAttribute("aria-expanded", "false");
    announce("Source details closed");
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    const trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    const target = event.detail.target;
    // History restores swap the whole body and carry no target.
    if (!target) return;
    if (trigger && trigger.matches(".chip")) {
      target.hidden = false;
      trigger.setAttribute("aria-expanded", "true");
      announce("Source details opened: " + target.textContent.trim().split("\n")[0]);
      return;
    }
    if (target.id === "framework-tabs") {
      rovingTabindex();
      const selected = document.querySelector('#framework-tabs [role="tab"][aria-selected="true"]');
      if (selected) {
        selected.focus();
        announce(selected.textContent.trim() + " tab shown");
      }
      return;
    }
    if (target.id === "anchors-disclosure") {
      const heading = target.querySelector("h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
      announce("O*NET source anchors shown");
      return;
    }
    if (target.id === "results") {
      const heading = document.querySelector("#results h2");
      if (heading) announce(heading.textContent.trim());
    }
  });
})();
