// iaptlab explorers: give every slider handle an accessible name (its label), keep it when
// ipywidgets re-renders, and make a scrollable output reachable by keyboard.
function nameControls(root) {
  for (const slider of root.querySelectorAll(".widget-slider")) {
    const label = slider.querySelector(".widget-label");
    const name = label ? label.textContent.trim() : "";
    for (const handle of slider.querySelectorAll(".noUi-handle")) {
      if (name && handle.getAttribute("aria-label") !== name) handle.setAttribute("aria-label", name);
    }
  }
  for (const box of root.querySelectorAll(".iaptlab-table")) {
    if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Table of the numbers shown");
    }
  }
}

// The presentation dashboard's contents bar: a link scrolls its explorer to just under the bar
// (the notebook's HTML renderer does not follow in-page links itself). Installed once per page.
function followContentsLinks() {
  if (window.__iaptlabContentsLinks) return;
  window.__iaptlabContentsLinks = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest(".iaptlab-contents a[href^='#']");
    if (!link) return;
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    event.stopPropagation();
    const bar = link.closest(".iaptlab-contents");
    target.style.scrollMarginTop = `${(bar ? bar.offsetHeight : 0) + 8}px`;
    target.scrollIntoView({ block: "start" });
    target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });  // keyboard users continue from the explorer
  }, true);
}

// Pins the dashboard's contents bar (``data-pin``) to the top of the window on screens at least
// 800 px wide; a spacer keeps its place. CSS cannot: the bar is alone in its output (sticky), and
// the page's panels are containers for fixed elements, so the pinned bar moves to <body>.
function pinContents() {
  const nav = document.querySelector(".iaptlab-contents[data-pin]:not([data-pinned])");
  if (!nav) return;
  nav.dataset.pinned = "1";
  const spacer = document.createElement("div");
  nav.parentElement.insertBefore(spacer, nav);
  const wide = window.matchMedia("(min-width: 800px)");
  const place = () => {
    const pinned = wide.matches && spacer.isConnected;
    if (pinned && nav.parentElement !== document.body) document.body.appendChild(nav);
    if (!pinned && nav.parentElement === document.body && spacer.isConnected) spacer.after(nav);
    if (!spacer.isConnected) nav.remove();  // its output was cleared
    nav.classList.toggle("iaptlab-pinned", pinned);
    spacer.style.height = pinned ? `${nav.offsetHeight}px` : "0";
  };
  wide.addEventListener("change", place);
  new ResizeObserver(place).observe(nav);
  place();
}

function render({ el }) {
  followContentsLinks();
  pinContents();
  let root = null;
  const observer = new MutationObserver(() => root && nameControls(root));
  const attach = () => {
    root = el.closest(".iaptlab-explorer");
    if (!root) return false;
    nameControls(root);
    observer.observe(root, { childList: true, subtree: true });
    return true;
  };
  if (!attach()) {
    // the view is rendered before it is put in the page: try again once it is
    let tries = 0;
    const timer = setInterval(() => { if (attach() || ++tries > 100) clearInterval(timer); }, 50);
  }
  return () => observer.disconnect();
}

export default { render };
