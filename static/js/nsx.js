// Progressive enhancement for framework pages. Every control is a real link first, and the server says
// no more of it than a link is; this file makes the tabs WAI-ARIA tabs and the chips and the anchors
// toggle disclosures, and adds their keys, in-place loading and announcements.
(function () {
  "use strict";

  // Chips and the anchors toggle: links that open and close a panel in place.
  const DISCLOSURES = ".chip, .anchors-disclosure__toggle";

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

  function within(root, selector) {
    const found = Array.from(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }

  // The roles and states only this script makes true. Runs on the page and on whatever htmx swaps in,
  // which comes as the server renders it; markup enhanced already (htmx's history copy) stays as it is.
  function enhance(root) {
    if (!root || !root.querySelectorAll) return;
    within(root, ".tabs__list").forEach(function (list) { list.setAttribute("role", "tablist"); });
    within(root, ".tabs__tab").forEach(function (tab) {
      // The server marks the tab shown as the current page; a tab says it is selected instead.
      const selected = tab.getAttribute("aria-current") === "page" || tab.getAttribute("aria-selected") === "true";
      tab.removeAttribute("aria-current");
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-selected", String(selected));
      tab.setAttribute("aria-controls", "tabpanel");
    });
    within(root, ".tabs__panel").forEach(function (panel) {
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("tabindex", "0");  // a panel without links still takes focus from its tab
    });
    within(root, DISCLOSURES).forEach(function (control) {
      if (control.hasAttribute("aria-expanded")) return;
      control.setAttribute("aria-controls", control.getAttribute("data-hx-target").replace(/^#/, ""));
      control.setAttribute("aria-expanded", "false");
    });
    rovingTabindex();
  }
  enhance(document);
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });

  // Ctrl-, Cmd-, Shift- or Alt-click on an enhanced link keeps the browser's own meaning (new tab,
  // new window, download). htmx 2 lets these through only for boosted links, so stop the click here,
  // in the capture phase, before it reaches the link's htmx listener.
  document.addEventListener("click", function (event) {
    if (!(event.ctrlKey || event.metaKey || event.shiftKey || event.altKey)) return;
    if (event.target.closest && event.target.closest("a[data-hx-get]")) event.stopPropagation();
  }, true);

  // Tabs: arrow keys, Home and End move focus between tabs at once and activate them.
  document.addEventListener("keydown", function (event) {
    const tab = event.target.closest && event.target.closest('[role="tab"]');
    // Alt+ArrowLeft and the like belong to the browser (Back, Forward).
    if (!tab || event.altKey || event.ctrlKey || event.metaKey) return;
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

  // Space works a chip or the anchors toggle as it works a button, and Escape closes the open one
  // from it or from inside its panel.
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || !event.target.closest) return;
    const control = event.target.closest(DISCLOSURES);
    if (control && event.key === " ") {
      event.preventDefault();
      control.click();
      return;
    }
    if (event.key !== "Escape") return;
    const opener = control || openerOf(event.target);
    if (!opener || opener.getAttribute("aria-expanded") !== "true") return;
    event.preventDefault();
    opener.focus();
    opener.click();  // open, so the click closes it (see the htmx:confirm handlers below)
  });

  function openerOf(element) {
    const panel = element.closest("[id]");
    for (let node = panel; node; node = node.parentElement.closest("[id]")) {
      const opener = document.querySelector('[aria-controls="' + node.id + '"]');
      if (opener && opener.matches(DISCLOSURES)) return opener;
      if (!node.parentElement) break;
    }
    return null;
  }

  // Tab loads can finish out of order when keys are pressed quickly: only the tab asked for last
  // swaps in (and so sets the address), whatever answers before it. Dropping stale answers, rather
  // than aborting their requests, keeps htmx from logging each abort as an error.
  let latestTabRequest = null;
  function dropStaleTabs(event) {
    if (event.detail.xhr !== latestTabRequest) event.detail.shouldSwap = false;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    const target = event.detail.target;
    if (!target || target.id !== "framework-tabs") return;
    latestTabRequest = event.detail.xhr;
    // Listen on the target itself: once a newer answer has swapped it out of the page, its events
    // no longer reach the document. (The same listener is added only once.)
    target.addEventListener("htmx:beforeSwap", dropStaleTabs);
  });

  // While an answer is on its way, the part it will replace says so (aria-busy) and shows it (nsx.css):
  // on a slow line a press would otherwise seem to do nothing. htmx counts each part's requests in its
  // htmx-request class (data-hx-indicator); follow that.
  const BUSY_PARTS = ".tabs, .results";
  function markBusy() {
    document.querySelectorAll("[aria-busy]").forEach(function (part) {
      if (!part.classList.contains("htmx-request")) part.removeAttribute("aria-busy");
    });
    document.querySelectorAll(".htmx-request").forEach(function (part) {
      if (part.matches(BUSY_PARTS)) part.setAttribute("aria-busy", "true");
    });
  }
  document.addEventListener("htmx:beforeSend", markBusy);
  document.addEventListener("htmx:afterRequest", markBusy);
  // htmx keeps no htmx-request class in its copy of the page for Back; nor is it busy there.
  document.addEventListener("htmx:beforeHistorySave", function (event) {
    event.detail.historyElt.querySelectorAll("[aria-busy]").forEach(function (part) {
      part.removeAttribute("aria-busy");
    });
  });

  // Back or Forward while an answer is on its way restores a page without the element it was asked
  // for. The answer belongs to a page no longer shown: drop it, before htmx swaps it into the detached
  // copy and takes the address and the title from it (or, failing, follows its link).
  function dropAnswersForGonePages(event) {
    const target = event.detail.target;
    if (target && !document.body.contains(target)) event.preventDefault();
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    // On the asking element itself: once its page is gone, its events no longer reach the document.
    event.detail.elt.addEventListener("htmx:beforeOnLoad", dropAnswersForGonePages);
  });

  // The selected tab is shown already: activating it again asks for nothing and leaves the address and
  // history as they are. It also withdraws a tab asked for since (arrowed past and back), whose answer
  // would otherwise replace it.
  document.addEventListener("htmx:confirm", function (event) {
    const tab = event.detail.elt;
    if (!tab.matches('[role="tab"]') || tab.getAttribute("aria-selected") !== "true") return;
    event.preventDefault();
    latestTabRequest = null;
  });

  // An enhanced link whose request fails (a citation since deleted, a server error, no network) does
  // what it does without JavaScript: the browser follows it and shows what the server has to say.
  // htmx itself swaps no error answer in, so otherwise the click would do nothing at all.
  function followFailedLink(event) {
    const link = event.detail.elt;
    if (!link || !link.matches || !link.matches("a[href][data-hx-get]")) return;
    // A tab answer already overtaken by a later one is dropped, failed or not.
    if (link.matches('[role="tab"]') && event.detail.xhr !== latestTabRequest) return;
    window.location.assign(link.href);
  }
  document.addEventListener("htmx:responseError", followFailedLink);
  document.addEventListener("htmx:sendError", followFailedLink);

  // Directory search. Typing and filter changes keep to one history entry, the search in progress: the
  // first change after arriving, going Back or Forward, or submitting opens it, later ones replace it
  // (hx-replace-url). Enter or the Search button ends it, so Back returns to the search before. A
  // search the results already answer is not asked again: no second request, no second entry.
  let searchInProgress = false;  // the current history entry is the search being typed
  let submittedSearch = null;    // what the last Enter or Search asked for, until its answer arrives

  // Two addresses ask the same search when their non-empty fields match, in any order.
  function searchKey(params) {
    return Array.from(params).filter(function (pair) { return pair[1] !== ""; })
      .map(function (pair) { return pair[0] + "=" + pair[1]; }).sort().join("&");
  }
  function currentSearch() {
    return searchKey(new URLSearchParams(window.location.search));
  }
  function isDirectorySearch(element) {
    return element && element.matches && element.matches(".directory-form");
  }

  document.addEventListener("submit", function (event) {
    if (!isDirectorySearch(event.target)) return;
    submittedSearch = searchKey(new FormData(event.target));
    // Already shown (typed, then Enter): the entry for it becomes the submitted search as it stands.
    if (submittedSearch === currentSearch()) {
      searchInProgress = false;
      submittedSearch = null;
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    if (!isDirectorySearch(event.detail.elt)) return;
    // The fields left empty stay out of the address, where the server would redirect to (no second request).
    const data = event.detail.formData;
    Array.from(data.entries()).forEach(function (pair) { if (pair[1] === "") data.delete(pair[0]); });
    if (searchKey(event.detail.formData) !== currentSearch()) return;
    event.preventDefault();
    clearSearchFailure();  // the results shown are this search's again
  });

  document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    const config = event.detail.requestConfig;
    if (!config || !isDirectorySearch(config.elt)) return;
    const history = event.detail.history;
    history.type = searchInProgress ? "replace" : "push";
    const answered = searchKey(new URL(history.path, window.location.href).searchParams);
    searchInProgress = answered !== submittedSearch;
    if (!searchInProgress) submittedSearch = null;
  });

  document.addEventListener("htmx:historyRestore", function () {
    searchInProgress = false;
    submittedSearch = null;
  });

  // A directory search that fails (a server error, no network) must not leave the results of the search
  // before looking like its answer. One sent with Enter or a button goes as a page, as it does without
  // JavaScript; one sent by typing or a filter says so in place, keeping what was typed and focus.
  const SEARCH_FAILED = "The search could not be made just now: the results below are from before it. Press Search to try again.";

  function clearSearchFailure() {
    const notice = document.getElementById("search-failure");
    if (notice) notice.remove();
  }

  function searchFailed(event) {
    const form = event.detail.elt;
    if (!isDirectorySearch(form)) return;
    const config = event.detail.requestConfig;
    if (config && config.triggeringEvent && config.triggeringEvent.type === "submit") {
      form.submit();  // no submit event: htmx lets the browser send it
      return;
    }
    const results = document.getElementById("results");
    if (!results) return;
    let notice = document.getElementById("search-failure");
    if (!notice) {
      notice = document.createElement("p");
      notice.id = "search-failure";
      notice.className = "notice search-failure";
      notice.textContent = SEARCH_FAILED;
      results.before(notice);
    }
    announce(SEARCH_FAILED);
  }
  document.addEventListener("htmx:responseError", searchFailed);
  document.addEventListener("htmx:sendError", searchFailed);
  // Gone once a search is answered, and never kept in the copy of the page htmx keeps for Back.
  document.addEventListener("htmx:beforeHistorySave", clearSearchFailure);

  // The header's Sign in link returns people to the address they signed in from (?next=). htmx
  // changes the address without a new page (tabs, searches, Back): keep the link pointing here.
  function signInReturnsHere() {
    const link = document.getElementById("sign-in");
    if (!link) return;
    const url = new URL(link.href);
    url.searchParams.set("next", window.location.pathname + window.location.search);
    link.href = url.pathname + url.search;
  }
  ["htmx:pushedIntoHistory", "htmx:replacedInHistory", "htmx:historyRestore"].forEach(function (name) {
    document.addEventListener(name, signInReturnsHere);
  });

  // autofocus acts once, as the page loads (a form's errors, a message); htmx would act on it again in
  // the copy of the page it keeps for Back, taking focus from the tab there.
  document.addEventListener("htmx:beforeHistorySave", function (event) {
    event.detail.historyElt.querySelectorAll("[autofocus]").forEach(function (element) {
      element.removeAttribute("autofocus");
    });
  });

  // Back and Forward between tabs: htmx refocuses the element whose id had focus, which may be the
  // tab that was selected then, not the one shown now.
  document.addEventListener("htmx:historyRestore", function () {
    rovingTabindex();
    const active = document.activeElement;
    if (!active || !active.closest || !active.closest('[role="tablist"]')) return;
    const selected = document.querySelector('[role="tab"][aria-selected="true"]');
    if (selected && selected !== active) selected.focus();
  });

  // Back and Forward bring back htmx's copy of the directory's results, but its fields as the copy's
  // markup held them (their first values): set them from the address, which the results are for.
  document.addEventListener("htmx:historyRestore", function () {
    const form = document.querySelector(".directory-form");
    if (!form) return;
    const params = new URLSearchParams(window.location.search);
    Array.from(form.elements).forEach(function (field) {
      if (!field.name) return;
      if (field.type === "checkbox") field.checked = params.has(field.name);
      else field.value = params.get(field.name) || "";
    });
  });

  // A press on a chip or the anchors toggle while its panel loads asks for it again: htmx would queue it,
  // and once the panel opened the queued press would close it (a double click on a slow line).
  document.addEventListener("htmx:confirm", function (event) {
    const control = event.detail.elt;
    if (control.matches(DISCLOSURES) && control.classList.contains("htmx-request")) event.preventDefault();
  });

  // A second press on an open chip closes it instead of fetching it again.
  document.addEventListener("htmx:confirm", function (event) {
    const trigger = event.detail.elt;
    if (!trigger.matches(".chip")) return;
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

  // The source anchors disclosure loads its panel once, then hides and shows it without asking again.
  document.addEventListener("htmx:confirm", function (event) {
    const toggle = event.detail.elt;
    if (!toggle.matches(".anchors-disclosure__toggle")) return;
    const panel = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!panel || !panel.hasChildNodes()) return;
    event.preventDefault();
    const opening = toggle.getAttribute("aria-expanded") !== "true";
    panel.hidden = !opening;
    setDisclosure(toggle, opening);
    announce(opening ? "O*NET source anchors shown" : "O*NET source anchors hidden");
  });

  // The toggle says what pressing it does: Show, or Hide once the panel is open.
  function setDisclosure(toggle, open) {
    toggle.setAttribute("aria-expanded", String(open));
    const action = toggle.querySelector(".anchors-disclosure__action");
    if (action) action.textContent = open ? "Hide" : "Show";
  }

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
      // htmx:load comes for the new tabs only after this, when they settle.
      enhance(document.getElementById("framework-tabs"));
      const selected = document.querySelector('#framework-tabs [role="tab"][aria-selected="true"]');
      if (selected) {
        // The swap took the focused tab away (focus fell to <body>), or htmx refocused its
        // namesake; either way focus belongs on the tab now shown. Focus elsewhere stays put.
        const active = document.activeElement;
        if (!active || active === document.body || active.closest('[role="tablist"]')) selected.focus();
        announce(selected.textContent.trim() + " tab shown");
      }
      return;
    }
    if (trigger && trigger.matches(".anchors-disclosure__toggle")) {
      // Focus stays on the toggle, so the same key hides the panel again.
      target.hidden = false;
      setDisclosure(trigger, true);
      announce("O*NET source anchors shown");
      return;
    }
    if (target.id === "results") {
      clearSearchFailure();
      const heading = document.querySelector("#results h2");
      if (heading) announce(heading.textContent.trim());
    }
  });
})();
