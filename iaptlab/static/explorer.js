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

function render({ el }) {
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
