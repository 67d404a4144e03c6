// Value ⇄ box: hovering either highlights both, selecting (click, Enter) marks both and scrolls the other
// into view. A value's data-cells names its box ids; the reverse map is built here. No network, no library.
(function () {
  "use strict";
  const values = Array.from(document.querySelectorAll("button.v"));
  const byCell = new Map();
  for (const v of values) {
    for (const id of (v.dataset.cells || "").split(" ").filter(Boolean)) {
      if (!byCell.has(id)) byCell.set(id, []);
      byCell.get(id).push(v);
    }
  }
  const boxesOf = (v) => (v.dataset.cells || "").split(" ").filter(Boolean)
    .map((id) => document.getElementById(id)).filter(Boolean);
  const peersOf = (v) => values.filter((o) => o.dataset.v === v.dataset.v);
  const toggle = (cls, els, on) => els.forEach((e) => e.classList.toggle(cls, on));
  const related = (v) => [...boxesOf(v), ...peersOf(v)];

  function clearSelection() {
    document.querySelectorAll(".selected").forEach((e) => e.classList.remove("selected"));
  }
  function showInPanel(v) {  // scroll the records beside the page, not the page
    const panel = v.closest(".records");
    if (!panel) return;
    panel.scrollTop += v.getBoundingClientRect().top - panel.getBoundingClientRect().top - panel.clientHeight / 3;
  }
  function selectValue(v, scrollTo) {
    clearSelection();
    toggle("selected", related(v), true);
    const box = boxesOf(v)[0];
    if (scrollTo === "box" && box) box.scrollIntoView({block: "center"});
    if (scrollTo === "value") v.scrollIntoView({block: "nearest"});
    showInPanel(v);
    history.replaceState(null, "", "#select=" + encodeURIComponent(v.dataset.v));
  }
  window.renkeiSelect = function (vid) {  // for links and for the browser test
    const v = values.find((o) => o.dataset.v === vid);
    if (v) selectValue(v, "box");
    return Boolean(v);
  };

  for (const v of values) {
    v.addEventListener("mouseenter", () => toggle("hl", related(v), true));
    v.addEventListener("mouseleave", () => toggle("hl", related(v), false));
    v.addEventListener("click", () => selectValue(v, "box"));
  }
  for (const [id, vs] of byCell) {
    const box = document.getElementById(id);
    if (!box) continue;
    const section = box.closest("section");
    const local = vs.filter((v) => v.closest("section") === section);
    const here = local.length ? local : vs;
    box.addEventListener("mouseenter", () => { box.classList.add("hl"); toggle("hl", here, true); });
    box.addEventListener("mouseleave", () => { box.classList.remove("hl"); toggle("hl", here, false); });
    box.addEventListener("click", () => selectValue(here[0], "value"));
  }

  const input = document.getElementById("filter");
  const count = document.getElementById("filter-count");
  function applyFilter() {
    const q = input.value.normalize("NFKC").trim().toLowerCase();
    let shown = 0;
    for (const section of document.querySelectorAll("section.page")) {
      let any = false;
      for (const g of section.querySelectorAll(".group")) {
        const hit = !q || (/^\d+$/.test(q) ? g.dataset.no === q : g.dataset.search.includes(q));
        g.hidden = !hit;
        any = any || hit;
      }
      section.hidden = Boolean(q) && !any;
      if (!section.hidden) shown += 1;
    }
    count.textContent = q ? shown + " page(s)" : "";
  }
  input.addEventListener("input", applyFilter);

  const m = location.hash.match(/^#select=(.+)$/);
  if (m) window.renkeiSelect(decodeURIComponent(m[1]));
})();
