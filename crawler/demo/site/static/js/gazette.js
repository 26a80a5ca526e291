// The Harbour Gazette: marks the page once its script has run (a replay test reads it).
document.documentElement.setAttribute("data-gazette", "ready");
